package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// A token missing a claim the server requires is refused with that claim named: a missing iss is not
// reported as a missing expiry.
func TestMissingClaimIsNamed(t *testing.T) {
	v := hsVerifier(t)
	grant := Grant{Pattern: "doc", Perm: PermRead}
	noIss := claimsFor(time.Hour, grant)
	noIss.Issuer = ""
	noAud := claimsFor(time.Hour, grant)
	noAud.Audience = nil
	noExp := claimsFor(time.Hour, grant)
	noExp.ExpiresAt = nil
	for name, c := range map[string]struct {
		claims      Claims
		want, wrong string
	}{
		"iss": {noIss, "no issuer (iss)", "expiry"},
		"aud": {noAud, "no audience (aud)", "expiry"},
		"exp": {noExp, "no expiry (exp)", "issuer"},
	} {
		_, err := v.Verify(sign(t, jwt.SigningMethodHS256, testSecret, c.claims))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), c.wrong) {
			t.Errorf("token without %s: got %v, want a reason naming %q", name, err, c.want)
		}
	}
}

// A token inside the leeway is admitted, and its principal stays valid until exp plus the leeway: the
// instant the verifier itself starts refusing it, not exp (which has already passed).
func TestValidUntilHonoursTheLeeway(t *testing.T) {
	v := hsVerifier(t)
	p, err := v.Verify(sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(-10*time.Second, Grant{Pattern: "doc", Perm: PermRead})))
	if err != nil {
		t.Fatalf("token 10 s past exp, inside the 30 s leeway: %v", err)
	}
	if want := testNow.Add(-10*time.Second + DefaultLeeway); !p.ValidUntil().Equal(want) {
		t.Fatalf("ValidUntil %v, want exp+leeway %v", p.ValidUntil(), want)
	}
	if !AnonymousDeveloper().ValidUntil().IsZero() {
		t.Fatal("an anonymous principal has no expiry")
	}
}
