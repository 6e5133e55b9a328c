package codec

import (
	"encoding/hex"
	"testing"
)

// TestEncodeV2ReusesEncodersWithoutCarryingState: EncodeV2 hands out pooled encoders; every
// update it returns must equal a fresh encoder's, whatever the pooled one wrote before, and an
// update returned earlier must not change when the encoder is used again.
func TestEncodeV2ReusesEncodersWithoutCarryingState(t *testing.T) {
	var earlier [][]byte
	for round := range 3 {
		for i, ex := range specExamples {
			got := EncodeV2(ex.write)
			fresh := NewEncoderV2()
			ex.write(fresh)
			if hex.EncodeToString(got) != hex.EncodeToString(fresh.Bytes()) {
				t.Fatalf("round %d, %s: pooled %x, fresh %x", round, ex.name, got, fresh.Bytes())
			}
			if round == 0 {
				earlier = append(earlier, got)
			} else if hex.EncodeToString(earlier[i]) != hex.EncodeToString(got) {
				t.Fatalf("%s: the update returned in round 0 changed to %x", ex.name, earlier[i])
			}
		}
	}
}
