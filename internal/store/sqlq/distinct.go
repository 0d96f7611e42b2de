package sqlq

import (
	"fmt"
	"strings"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// Distinct returns the statement and arguments listing, in ascending
// order, at most limit distinct values of resource r that are greater than
// after. It returns an error wrapping store.ErrInvalid for an unknown
// resource or a limit below 1.
func Distinct(d Dialect, r store.Resource, after string, limit int) (string, []any, error) {
	if limit < 1 {
		return "", nil, fmt.Errorf("distinct %s: limit %d is below 1: %w", r, limit, store.ErrInvalid)
	}
	args := []any{after, int64(limit)}
	first, second := d.Placeholder(1), d.Placeholder(2)
	column := ""
	switch r {
	case store.ResourceEPCs:
		// Role names are constants of package store, safe as literals.
		roles := "'" + strings.Join(rolesToStrings(store.InstanceRoles), "', '") + "'"
		return "SELECT DISTINCT i.canonical FROM identifiers i WHERE i.canonical > " + first +
			" AND i.role IN (" + roles + ") ORDER BY i.canonical LIMIT " + second, args, nil
	case store.ResourceEventTypes:
		column = "event_type"
	case store.ResourceBizSteps:
		column = "biz_step"
	case store.ResourceBizLocations:
		column = "biz_location"
	case store.ResourceReadPoints:
		column = "read_point"
	case store.ResourceDispositions:
		column = "disposition"
	default:
		return "", nil, fmt.Errorf("resource %q is unknown, use one of eventTypes, epcs, bizSteps, bizLocations, readPoints, dispositions: %w", r, store.ErrInvalid)
	}
	return "SELECT DISTINCT " + column + " FROM events WHERE " + column + " > " + first +
		" ORDER BY " + column + " LIMIT " + second, args, nil
}
