package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// EncodeStateAsUpdate encodes everything the document holds that a peer with state vector sv
// lacks, as a v1 update (nil sv: everything). Structs and deletions still pending are
// included, so a relay never loses data it cannot integrate yet (yjs does the same).
func (d *Doc) EncodeStateAsUpdate(sv StateVector) []byte { return d.encodeState(sv, false) }

// EncodeStateAsUpdateV2 is EncodeStateAsUpdate in the v2 format.
func (d *Doc) EncodeStateAsUpdateV2(sv StateVector) []byte { return d.encodeState(sv, true) }

func (d *Doc) encodeState(sv StateVector, v2 bool) []byte {
	if sv == nil {
		sv = StateVector{}
	}
	write := func(enc codec.UpdateEncoder) {
		d.writeClientsStructs(enc, sv)
		d.store.deleteSet().Write(enc)
	}
	var out []byte
	if v2 {
		out = codec.EncodeV2(write)
	} else {
		out = d.encodeV1(sv, write)
	}
	p := &d.store.pending
	if !p.hasDels() && !p.hasStructs() {
		return out
	}
	// Pending data is kept as v2; merge it into the encoded state (yjs encodeStateAsUpdateV2).
	parts := [][]byte{out}
	if p.hasDels() {
		u := update.Update{DeleteSet: p.delSet()}
		parts = append(parts, u.Encode(true))
	}
	for _, pu := range p.updates() {
		if diff, err := update.Diff(pu, sv, true); err == nil {
			parts = append(parts, diff)
		}
	}
	if !v2 {
		for i := 1; i < len(parts); i++ {
			if p, err := update.Convert(parts[i], true, false); err == nil {
				parts[i] = p
			}
		}
	}
	if merged, err := update.Merge(parts, v2); err == nil {
		return merged
	}
	return out
}

// encodeV1 runs write against a v1 encoder. The v1 output is the encoder's own buffer, so it
// cannot come from a pool; instead a full-state encode is sized from the previous one (a server
// answers sync step 1 of every new client with the whole state), which saves growing the buffer
// through a dozen copies of the document.
func (d *Doc) encodeV1(sv StateVector, write func(codec.UpdateEncoder)) []byte {
	full := len(sv) == 0
	hint := 0
	if full {
		hint = d.store.lastFullSizeV1
		hint += hint / 16 // room for edits made since
	}
	enc := codec.NewEncoderV1Size(hint)
	write(enc)
	out := enc.Bytes()
	if full {
		d.store.lastFullSizeV1 = len(out)
	}
	return out
}

// writeClientsStructs writes, for every client the document knows beyond sv, its structs from
// sv's clock on, highest client first (yjs writeClientsStructs).
func (d *Doc) writeClientsStructs(enc codec.UpdateEncoder, sv StateVector) {
	s := d.store
	from := make(map[uint64]uint64, len(s.clients))
	for client, clock := range sv {
		if s.state(client) > clock {
			from[client] = clock
		}
	}
	for client := range s.clients {
		if _, ok := sv[client]; !ok {
			from[client] = 0
		}
	}
	rest := enc.Rest()
	rest.WriteVarUint(uint64(len(from)))
	for _, client := range sortedClientsDesc(from) {
		d.writeClientStructs(enc, client, from[client])
	}
}

// writeClientStructs writes one client's structs from clock on (yjs writeStructs).
func (d *Doc) writeClientStructs(enc codec.UpdateEncoder, client, from uint64) {
	rest := enc.Rest()
	sl := d.store.structs(client)
	clock := max(from, sl.at(0).id.Clock)
	start, _ := sl.find(clock)
	rest.WriteVarUint(uint64(sl.len() - start))
	enc.WriteClient(client)
	rest.WriteVarUint(clock)
	first := sl.at(start)
	first.write(enc, clock-first.id.Clock)
	sl.each(start+1, func(it *item) { it.write(enc, 0) })
}

// write encodes one struct from unit offset on (yjs Item.write / GC.write).
func (it *item) write(enc codec.UpdateEncoder, offset uint64) {
	if it.isGC() {
		enc.WriteInfo(0)
		enc.WriteLen(it.len() - offset)
		return
	}
	hasOrigin := offset > 0 || it.has(flagOrigin)
	origin := it.origin
	if offset > 0 {
		origin = ID{Client: it.id.Client, Clock: it.id.Clock + offset - 1}
	}
	info := it.content.Ref() & 0x1f
	if hasOrigin {
		info |= 0x80
	}
	if it.has(flagRightOrigin) {
		info |= 0x40
	}
	if it.hasParentSub() {
		info |= 0x20
	}
	enc.WriteInfo(info)
	if hasOrigin {
		enc.WriteLeftID(origin)
	}
	if it.has(flagRightOrigin) {
		enc.WriteRightID(it.rightOrigin)
	}
	if !hasOrigin && !it.has(flagRightOrigin) {
		p := it.place.parent
		if p.item == nil {
			enc.WriteParentInfo(true)
			enc.WriteString(p.rootName)
		} else {
			enc.WriteParentInfo(false)
			enc.WriteLeftID(p.item.id)
		}
		if it.hasParentSub() {
			enc.WriteString(it.key())
		}
	}
	it.writeContent(enc, offset)
}

// StateVector returns the next expected clock of every client the document holds structs of.
// Pending structs are not included.
func (d *Doc) StateVector() StateVector { return d.store.stateVector() }

// EncodeStateVector is StateVector in the binary form sync step 1 carries.
func (d *Doc) EncodeStateVector() []byte { return d.store.stateVector().Encode() }

// HasPending reports whether structs or deletions wait for missing dependencies.
func (d *Doc) HasPending() bool { return d.store.pending.hasStructs() || d.store.pending.hasDels() }

// DecodeStateVector parses an encoded state vector.
func DecodeStateVector(b []byte) (StateVector, error) { return update.DecodeStateVector(b) }
