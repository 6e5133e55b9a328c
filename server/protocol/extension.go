package protocol

import (
	"fmt"
	"slices"
	"strings"
)

// Extension names a Meridian wire extension a client opts into from the URL (see server/PROTOCOL.md).
type Extension string

const (
	ExtensionHello Extension = "hello"
	ExtensionAck   Extension = "ack"
)

// ExtensionParam is the URL query parameter listing the extensions a client asks for, comma separated:
// ws://host/ws/doc?meridian_ext=ack,hello
const ExtensionParam = "meridian_ext"

// Extensions is the set a connection opted into. The zero value is a stock Yjs client: no extension
// message is ever sent to it.
type Extensions struct {
	Hello bool
	Ack   bool
}

// ParseExtensions reads the value of ExtensionParam. Unknown names are an error rather than silently ignored,
// so a client built against a newer protocol learns at once that this server lacks what it asked for.
func ParseExtensions(value string) (Extensions, error) {
	var e Extensions
	if value == "" {
		return e, nil
	}
	for name := range strings.SplitSeq(value, ",") {
		switch Extension(strings.TrimSpace(name)) {
		case ExtensionHello:
			e.Hello = true
		case ExtensionAck:
			e.Ack = true
		case "":
		default:
			return Extensions{}, fmt.Errorf("meridian/protocol: unknown extension %q (known: %s)", name,
				strings.Join(slices.Sorted(slices.Values([]string{string(ExtensionAck), string(ExtensionHello)})), ", "))
		}
	}
	return e, nil
}

// Hello identifies the node a client reached.
type Hello struct {
	Region string
	Node   string
}

// EncodeHello builds `[100] varString region, varString node`.
func EncodeHello(h Hello) []byte {
	b := appendVarUint(nil, uint64(MessageHello))
	b = appendString(b, h.Region)
	return appendString(b, h.Node)
}

func decodeHello(r *reader) (Hello, error) {
	region, err := r.string()
	if err != nil {
		return Hello{}, err
	}
	node, err := r.string()
	if err != nil {
		return Hello{}, err
	}
	return Hello{Region: region, Node: node}, nil
}

// Ack says that the first Updates sync step 2 / update messages the client sent on this connection are
// durably stored in Regions regions. Updates is cumulative, so a lost ack is covered by the next one.
type Ack struct {
	Updates uint64
	Regions uint64
}

// EncodeAck builds `[101] varUint updates, varUint regions`.
func EncodeAck(a Ack) []byte {
	b := appendVarUint(nil, uint64(MessageAck))
	b = appendVarUint(b, a.Updates)
	return appendVarUint(b, a.Regions)
}

func decodeAck(r *reader) (Ack, error) {
	n, err := r.varUint()
	if err != nil {
		return Ack{}, err
	}
	regions, err := r.varUint()
	if err != nil {
		return Ack{}, err
	}
	return Ack{Updates: n, Regions: regions}, nil
}
