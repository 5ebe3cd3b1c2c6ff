package pipeline

import (
	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/framework"
)

// Patch writes the recommendations into the project's source as a unified
// diff relative to src. Only files under src are touched; a view that
// already sets Cache-Control is left alone unless replace. Only rows of a
// safe method (GET, with HEAD) get a header: how each framework writes it
// is its home's patch style (Django class views and DRF viewsets are
// decorated per method or action, function views that also take unsafe
// methods get a decorator that sets the header on GET and HEAD responses
// only, the FastAPI middleware is keyed by method, Flask views get a
// decorator from a generated module).
func Patch(src string, rt *framework.Routes, recs []*advisor.Recommendation, replace bool) (*framework.PatchResult, error) {
	return framework.WritePatch(src, rt, advisor.PatchRows(recs), replace)
}
