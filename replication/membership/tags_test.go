package membership

import (
	"errors"
	"strings"
	"testing"
)

func TestTagsRoundTripAndLimits(t *testing.T) {
	m := Member{ID: "eu/n1", Region: "eu", PeerAddr: "10.0.0.1:7947", Ready: true, Version: 1}
	tags, err := EncodeTags("prod", m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeTags("prod", tags)
	if err != nil || got != m {
		t.Fatalf("round trip %+v, %v", got, err)
	}
	if _, err := DecodeTags("staging", tags); !errors.Is(err, ErrTags) {
		t.Fatal("a member of another cluster must be refused")
	}
	m.ID = strings.Repeat("x", 500)
	if _, err := EncodeTags("prod", m); !errors.Is(err, ErrTags) {
		t.Fatal("tags over 512 bytes must be refused before serf sees them")
	}
}

func TestStatic(t *testing.T) {
	s := NewStatic(Member{ID: "b"}, Member{ID: "a"})
	if ms := s.Members(); len(ms) != 2 || ms[0].ID != "a" {
		t.Fatalf("members %+v", ms)
	}
	if err := s.SetReady(true); err != nil || !s.IsReady() {
		t.Fatal("SetReady")
	}
	s.Leave()
	if len(s.Members()) != 0 || s.SetReady(false) == nil {
		t.Fatal("a left membership must be empty and refuse SetReady")
	}
}
