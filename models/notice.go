package models

// NoticeKind is how a one-time message to the user reads.
type NoticeKind string

// The kinds of notice.
const (
	NoticeSuccess NoticeKind = "success"
	NoticeInfo    NoticeKind = "info"
	NoticeError   NoticeKind = "error"
)

// ParseNoticeKind is the kind named s, and whether there is one.
func ParseNoticeKind(s string) (NoticeKind, bool) {
	switch k := NoticeKind(s); k {
	case NoticeSuccess, NoticeInfo, NoticeError:
		return k, true
	}
	return "", false
}
