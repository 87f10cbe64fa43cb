package handlers

import (
	"net/url"
	"slices"

	"myaccount/models"
)

// How checkboxes are read. A browser sends nothing for an unticked box, so
// the Checkbox and CheckboxGroup components put a hidden value of the same
// name before their boxes: "false" for one box, "" for a group. A form
// that showed the box therefore always sends its name, and a post without
// the name did not show it and changes nothing.

// checkbox is a single box's value, the last one sent ("true" when
// ticked, "false" when shown and left unticked), and whether the form
// showed it.
func checkbox(form url.Values, name string) (value string, shown bool) {
	vals, ok := form[name]
	if !ok || len(vals) == 0 {
		return "", false
	}
	return vals[len(vals)-1], true
}

// ticked is whether a box was sent ticked; a box the form did not show
// keeps current.
func ticked(form url.Values, name string, current bool) bool {
	v, shown := checkbox(form, name)
	if !shown {
		return current
	}
	b, _ := models.CleanBool("", v)
	return b == "true"
}

// checkboxes are the values ticked in a group, and whether the form
// showed the group.
func checkboxes(form url.Values, name string) (values []string, shown bool) {
	vals, ok := form[name]
	if !ok {
		return nil, false
	}
	return slices.DeleteFunc(slices.Clone(vals), func(v string) bool { return v == "" }), true
}
