// Package advisor decides, and only that: from the evidence (the analysis
// by endpoint, the replays, the routes with their facts, whether clients
// got the same responses) it recommends a TTL and Cache-Control per route
// and method, with the reasons. NewPlan says what evidence is needed;
// Plan.Decide turns it into Advice. It reads no store and no source: the
// pipeline gathers for it.
package advisor
