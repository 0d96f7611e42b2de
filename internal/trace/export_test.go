package trace

// SetConcurrency sets the least number of identifiers per concurrent read
// and per lastEvents worker, and returns a function that restores both.
func SetConcurrency(part, latest int) (restore func()) {
	oldPart, oldLatest := partSize, parallelLatest
	partSize, parallelLatest = part, latest
	return func() { partSize, parallelLatest = oldPart, oldLatest }
}
