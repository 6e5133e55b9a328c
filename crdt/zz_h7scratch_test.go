package crdt

import (
	"encoding/hex"
	"testing"
)

func TestH7Scratch(t *testing.T) {
	d := NewDoc(WithClientID(99), WithGC(false))
	d.GetText("text"); d.GetArray("array"); d.GetMap("map"); d.GetXmlFragment("xml")
	for _, h := range []string{
		"0103d1e7aaa70500070103786d6c03026c6947d1e7aaa70500030268312800d1e7aaa7050105636c6173730177037a707600",
		"0102efcbb7f1020108010561727261790175037b431fdb4f8a12c7d87503797e7876000401047465787402666900",
		"0101efcbb7f102002801036d6170057469746c6501750000",
	} {
		u, _ := hex.DecodeString(h)
		must(t, d.ApplyUpdate(u))
		t.Logf("pending %v %+v sv %v", d.HasPending(), d.store.pendingStructs, d.StateVector())
	}
}
