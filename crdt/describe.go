package crdt

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// DescribeUpdate decodes an update (v1, or v2 when v2 is set) and lists its structs and delete set, one per line,
// for people looking inside stored documents (`meridian doc dump`). Malformed input returns the decoder's error.
func DescribeUpdate(u []byte, v2 bool) (string, error) {
	decoded, err := update.Decode(u, v2)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidUpdate, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d client block(s)\n", len(decoded.Blocks))
	for _, block := range decoded.Blocks {
		first := uint64(0)
		if len(block.Structs) > 0 {
			first = block.Structs[0].ID.Clock
		}
		fmt.Fprintf(&b, "client %d: %d struct(s) from clock %d\n", block.Client, len(block.Structs), first)
		for i := range block.Structs {
			describeStruct(&b, &block.Structs[i])
		}
	}
	describeDeleteSet(&b, decoded.DeleteSet)
	return b.String(), nil
}

func describeStruct(b *strings.Builder, s *update.Struct) {
	fmt.Fprintf(b, "  %d:%d len %d ", s.ID.Client, s.ID.Clock, s.Length)
	switch s.Kind {
	case update.KindGC:
		b.WriteString("GC\n")
		return
	case update.KindSkip:
		b.WriteString("Skip\n")
		return
	}
	b.WriteString("Item ")
	b.WriteString(describeContent(s.Content))
	if s.HasOrigin {
		fmt.Fprintf(b, " origin %d:%d", s.Origin.Client, s.Origin.Clock)
	}
	if s.HasRightOrigin {
		fmt.Fprintf(b, " rightOrigin %d:%d", s.RightOrigin.Client, s.RightOrigin.Clock)
	}
	switch {
	case s.HasParentName:
		fmt.Fprintf(b, " parent root %q", s.ParentName)
	case s.HasParentID:
		fmt.Fprintf(b, " parent item %d:%d", s.ParentID.Client, s.ParentID.Clock)
	}
	if s.HasParentSub && (s.HasParentName || s.HasParentID) {
		fmt.Fprintf(b, " key %q", s.ParentSub)
	} else if s.HasParentSub {
		b.WriteString(" key (inherited from its origin)")
	}
	b.WriteByte('\n')
}

func describeContent(c update.Content) string {
	switch c := c.(type) {
	case *update.ContentString:
		return fmt.Sprintf("String %q", c.String())
	case *update.ContentDeleted:
		return fmt.Sprintf("Deleted(%d)", c.N)
	case *update.ContentAny:
		return "Any " + describeValues(c.Values)
	case *update.ContentJSON:
		return "JSON " + describeValues(c.Values)
	case *update.ContentBinary:
		return fmt.Sprintf("Binary % x", c.Data)
	case *update.ContentEmbed:
		return "Embed " + describeValue(c.Value)
	case *update.ContentFormat:
		return fmt.Sprintf("Format %q=%s", c.Key, describeValue(c.Value))
	case *update.ContentType:
		name := typeRefName(c.TypeRef)
		if c.Name != "" {
			name += fmt.Sprintf(" %q", c.Name)
		}
		return "Type " + name
	case *update.ContentDoc:
		return fmt.Sprintf("Doc guid %q opts %s", c.GUID, describeValue(c.Opts))
	}
	return fmt.Sprintf("content ref %d", c.Ref())
}

func typeRefName(ref uint8) string {
	names := [...]string{"YArray", "YMap", "YText", "YXmlElement", "YXmlFragment", "YXmlHook", "YXmlText"}
	if int(ref) < len(names) {
		return names[ref]
	}
	return fmt.Sprintf("typeRef(%d)", ref)
}

func describeValues(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = describeValue(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func describeValue(v any) string {
	if v == lib0.Undefined {
		return "undefined"
	}
	if s, err := lib0.StringifyJSON(v); err == nil {
		return s
	}
	return fmt.Sprintf("%v", v)
}

func describeDeleteSet(b *strings.Builder, ds update.DeleteSet) {
	if len(ds.Clients) == 0 {
		b.WriteString("delete set: empty\n")
		return
	}
	clients := make([]uint64, 0, len(ds.Clients))
	for c := range ds.Clients {
		clients = append(clients, c)
	}
	sort.Slice(clients, func(i, j int) bool { return clients[i] > clients[j] })
	b.WriteString("delete set:\n")
	for _, c := range clients {
		ranges := make([]string, len(ds.Clients[c]))
		for i, r := range ds.Clients[c] {
			ranges[i] = fmt.Sprintf("[%d,%d)", r.Clock, r.Clock+r.Len)
		}
		fmt.Fprintf(b, "  client %d: %s\n", c, strings.Join(ranges, " "))
	}
}
