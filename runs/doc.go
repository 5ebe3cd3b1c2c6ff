// Package runs keeps the advice runs recorded in the store (what each
// route was predicted to do, with the run's settings and source), reads
// them back and reads advice files: what verify compares new traffic
// with.
package runs
