// Tailwind CSS 3 configuration for myaccount (Sandpiper Bay).
// Build with: npm run build:css  (see docs/ASSETS.md)

/** @type {import('tailwindcss').Config} */
module.exports = {
  content: ["./views/**/*.templ", "./views/**/*_templ.go", "./static/js/app.js"],
  // Tailwind 3 drops @layer components rules whose class is not found in
  // `content`, so the design system in static/src/app.css is safelisted: every
  // class stays in the built CSS whether or not a view uses it yet.
  safelist: [
    // layout
    "frame", "page", "page-column", "site-header", "site-header-bar", "brand", "nav-menu", "nav-toggle", "site-nav", "site-nav-list", "site-nav-admin", "site-nav-signout", "card", "card-lead", "card-danger", "subsection", "subsection-title", "card-header", "record-grid", "record-aside", "record-main", "card-title", "muted", "skip-link",
    // read-only summaries
    "summary-list",
    // forms
    "form-group", "form-group-error", "label", "hint", "input", "input-error",
    "input-w-2", "input-w-3", "input-w-4", "input-w-5", "input-w-10", "input-w-20", "input-w-30", "input-fit", "field-error",
    "checkbox-row", "checkbox", "fieldset", "legend",
    // buttons
    "btn", "btn-primary", "btn-secondary", "btn-danger", "btn-link",
    // messages
    "error-summary", "error-summary-title", "error-summary-list", "notice-success", "notice-error", "notice-info",
    // password checklist
    "checklist", "checklist-item", "checklist-item-met", "checklist-item-unmet", "strength-meter",
    // tables
    "table", "table-stack", "search-row", "pager", "result-count", "sort-link", "sort-mark", "cell-title", "sr-only-stack",
    // badges
    "badge", "badge-active", "badge-locked", "badge-inactive",
  ],
  theme: {
    extend: {
      colors: {
        // "Sea": a calm teal / sea blue for Sandpiper Bay. White text passes
        // WCAG AA on 600 and darker; 700 is the button colour.
        primary: {
          50: "#f0f9fa",
          100: "#d9f0f3",
          200: "#b7e1e8",
          300: "#86cbd7",
          400: "#4eacbf",
          500: "#2f8fa5",
          600: "#26748b",
          700: "#235f72",
          800: "#224f5e",
          900: "#1f4250",
          950: "#0f2a35",
        },
        // Keyboard focus outline: dark, so it contrasts with white and pale
        // backgrounds (well over 3:1) and is distinct from the red error colour.
        focus: "#0f2a35",
      },
      fontFamily: {
        sans: [
          "system-ui",
          "-apple-system",
          '"Segoe UI"',
          "Roboto",
          '"Helvetica Neue"',
          "Arial",
          '"Noto Sans"',
          "sans-serif",
          '"Apple Color Emoji"',
          '"Segoe UI Emoji"',
          '"Segoe UI Symbol"',
          '"Noto Color Emoji"',
        ],
      },
    },
  },
  plugins: [require("@tailwindcss/forms")],
};
