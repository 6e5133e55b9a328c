// Package replication replicates Meridian's documents between nodes and regions.
package replication
