package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts the CPU profile and the allocation sampling the flags ask for and returns
// the function that writes them. Only the Go side is profiled: the node process is not ours.
func startProfiles(cpuPath, memPath string) (stop func()) {
	var cpuFile *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		cpuFile = f
	}
	if memPath != "" {
		runtime.MemProfileRate = 4096 // finer than the default so short benches show their allocations
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
		if memPath != "" {
			f, err := os.Create(memPath)
			if err != nil {
				panic(err)
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				panic(err)
			}
		}
	}
}
