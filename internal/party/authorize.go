package party

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/ident/cncode"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Rule names reported in capture errors.
const (
	RulePrefix = "prefix ownership"
	RuleParty  = "party to the event"
)

// CaptureRules decides whether the caller may report an event. It
// implements the capture service's Authorizer hook.
//
// An enterprise (or regulator) may commission identifiers (ObjectEvent
// with action ADD, AggregationEvent ADD of a parent never seen before) and
// transform into identifiers (TransformationEvent outputs) only under its
// own registered GS1 company prefixes or Chinese code prefixes. It may
// report an event only where it is a party to it. So the readPoint or
// bizLocation must be a location registered to it, or the sourceList or
// destinationList must name it by its party GLN, its unified social
// credit code or one of its locations. Administrators, and callers
// without a principal (the command line on the server's own database),
// are not restricted.
type CaptureRules struct {
	Parties store.PartyStore
	// Events looks up whether a parent identifier was seen before.
	Events store.Store
}

// AuthorizeEvent returns the rules e breaks for the caller in ctx, one
// entry per identifier or location, or an error when a lookup failed.
func (r *CaptureRules) AuthorizeEvent(ctx context.Context, index int, e *epcis.Event, ids []store.IDRef) ([]store.JobError, error) {
	p := PrincipalFrom(ctx)
	if p == nil || p.Audience() == Administrator {
		return nil, nil
	}
	var denied []store.JobError
	name := p.Party.NameZH + " (" + p.Party.ID + ")"

	commissioned, err := r.commissioned(ctx, e, ids)
	if err != nil {
		return nil, err
	}
	for _, ref := range commissioned {
		if Owns(p.Party, ref.Canonical) {
			continue
		}
		denied = append(denied, store.JobError{
			EventIndex: index, Pointer: rolePointer(ref.Role), Value: ref.Original, Rule: RulePrefix,
			Message: fmt.Sprintf("事件 %d：标识 %s 不在 %s 注册的厂商识别代码或编码前缀下 / event %d: identifier %s is not under a company prefix or code prefix registered to %s; an enterprise may commission or transform into identifiers only under its own prefixes",
				index, ref.Original, name, index, ref.Original, name),
		})
	}

	var (
		locations []store.IDRef
		named     []store.IDRef
		partyTo   bool
	)
	for _, ref := range ids {
		switch ref.Role {
		case store.RoleReadPoint, store.RoleBizLocation:
			locations = append(locations, ref)
		case store.RoleSource, store.RoleDestination:
			named = append(named, ref)
		}
	}
	for _, ref := range locations {
		owned, err := r.ownsLocation(ctx, p.Party.ID, ref.Canonical)
		if err != nil {
			return nil, err
		}
		partyTo = partyTo || owned
	}
	for _, ref := range named {
		if IsIdentity(p.Party, ref.Canonical) {
			partyTo = true
			continue
		}
		owned, err := r.ownsLocation(ctx, p.Party.ID, ref.Canonical)
		if err != nil {
			return nil, err
		}
		partyTo = partyTo || owned
	}
	if !partyTo {
		if len(locations) == 0 {
			denied = append(denied, store.JobError{EventIndex: index, Rule: RuleParty,
				Message: fmt.Sprintf("事件 %d 没有属于 %s 的地点或来源/去向 / event %d names no location, source or destination of %s; report events at your registered locations or name yourself as source or destination",
					index, name, index, name)})
		}
		reported := map[string]bool{}
		for _, ref := range locations {
			if reported[ref.Canonical] {
				continue
			}
			reported[ref.Canonical] = true
			denied = append(denied, store.JobError{EventIndex: index, Pointer: rolePointer(ref.Role), Value: ref.Original, Rule: RuleParty,
				Message: fmt.Sprintf("事件 %d：地点 %s 不属于 %s / event %d: location %s is not registered to %s, and %s is not named as source or destination; register the location to your enterprise first",
					index, ref.Original, name, index, ref.Original, name, name)})
		}
	}
	return denied, nil
}

// commissioned lists the identifiers e brings into being.
func (r *CaptureRules) commissioned(ctx context.Context, e *epcis.Event, ids []store.IDRef) ([]store.IDRef, error) {
	var out []store.IDRef
	for _, ref := range ids {
		switch {
		case e.Type == epcis.ObjectEvent && e.Action == epcis.ActionAdd && (ref.Role == store.RoleEPC || ref.Role == store.RoleClass):
			out = append(out, ref)
		case e.Type == epcis.TransformationEvent && (ref.Role == store.RoleOutput || ref.Role == store.RoleOutputClass):
			out = append(out, ref)
		case e.Type == epcis.AggregationEvent && e.Action == epcis.ActionAdd && ref.Role == store.RoleParent:
			page, err := r.Events.QueryEvents(ctx, store.Query{
				Matches: []store.IDMatch{{Roles: store.InstanceRoles, Values: []string{ref.Canonical}}}, PerPage: 1,
			})
			if err != nil {
				return nil, fmt.Errorf("look up parent %s: %w", ref.Canonical, err)
			}
			if len(page.Events) == 0 {
				out = append(out, ref)
			}
		}
	}
	return out, nil
}

func (r *CaptureRules) ownsLocation(ctx context.Context, partyID, id string) (bool, error) {
	l, err := r.Parties.Location(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up location %s: %w", id, err)
	}
	return l.PartyID == partyID, nil
}

func rolePointer(r store.Role) string {
	switch r {
	case store.RoleEPC:
		return "/epcList"
	case store.RoleClass:
		return "/quantityList"
	case store.RoleParent:
		return "/parentID"
	case store.RoleOutput:
		return "/outputEPCList"
	case store.RoleOutputClass:
		return "/outputQuantityList"
	case store.RoleReadPoint:
		return "/readPoint/id"
	case store.RoleBizLocation:
		return "/bizLocation/id"
	}
	return ""
}

// IsIdentity reports whether canonical is the party's own identifier: its
// party GLN or its unified social credit code URI.
func IsIdentity(p store.Party, canonical string) bool {
	if canonical == "" {
		return false
	}
	if p.GLN != "" && (canonical == p.GLN || canonical == strings.Replace(p.GLN, "/417/", "/414/", 1)) {
		return true
	}
	return p.USCC != "" && canonical == cncode.PrefixUSCC+p.USCC
}

// Owns reports whether the canonical identifier lies under one of the
// party's registered GS1 company prefixes or Chinese code prefixes. Other
// URIs belong to no party, so no enterprise may commission them.
func Owns(p store.Party, canonical string) bool {
	if strings.HasPrefix(canonical, "urn:cn:") {
		c := strings.ToLower(canonical)
		for class, inst := range codeClassPrefixes {
			if strings.HasPrefix(c, class) {
				c = inst + c[len(class):]
			}
		}
		for _, cp := range p.CodePrefixes {
			if strings.HasPrefix(c, strings.ToLower(cp)) {
				return true
			}
		}
		return false
	}
	digits, ok := keyDigits(canonical)
	if !ok {
		return false
	}
	for _, cp := range p.CompanyPrefixes {
		if strings.HasPrefix(digits, cp) {
			return true
		}
	}
	return false
}

// keyDigits returns the digits of a Digital Link's primary key that start
// with the company prefix: GTIN, SSCC, GRAI and ITIP carry a leading
// indicator, extension or padding digit before it (GS1 General
// Specifications section 3.2).
func keyDigits(uri string) (string, bool) {
	dl, err := ident.ParseDigitalLink(uri)
	if err != nil || dl.Key.Value == "" {
		return "", false
	}
	v := dl.Key.Value
	switch dl.Key.AI {
	case "01", "00", "8003", "8006":
		if len(v) < 2 {
			return "", false
		}
		return v[1:], true
	}
	return v, true
}
