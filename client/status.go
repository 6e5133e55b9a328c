package client

import "time"

// State is where a Client stands with the server.
type State int

const (
	// StateConnecting: a connection attempt is under way.
	StateConnecting State = iota
	// StateConnected: the WebSocket is open; the first sync exchange has not finished.
	StateConnected
	// StateSynced: the document matches the server's, but local edits wait for their durable acknowledgement.
	StateSynced
	// StateSaved: synced, and every local edit is durably stored by the server.
	StateSaved
	// StateOffline: disconnected; the client retries after Status.RetryIn. Edits are kept meanwhile.
	StateOffline
	// StateClosed: the client stopped, through Close, its context, or a refusal retrying cannot fix (Status.Err).
	StateClosed
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateSynced:
		return "synced"
	case StateSaved:
		return "saved"
	case StateOffline:
		return "offline"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// Status is a snapshot of a Client's connection and of its unsaved edits.
type Status struct {
	State State
	// Pending counts local updates the server has not yet acknowledged as durable.
	Pending int
	// Region and Node name the server reached (from its hello); empty before the first connection.
	Region, Node string
	// Endpoint is the server URL (as given to Dial or WithEndpoints) of the current or last connection.
	Endpoint string
	// Regions is how many regions hold the acknowledged edits, as the last ack reported.
	Regions int
	// Err is why the client is offline or closed (nil after Close or a cancelled context). It is a *CloseError
	// when the server closed the connection with a reason.
	Err error
	// Attempt counts consecutive failed connection attempts; RetryIn is the wait before the next one.
	Attempt int
	RetryIn time.Duration
}

// Synced reports whether the document matched the server's at the last sync (StateSynced or StateSaved).
func (s Status) Synced() bool { return s.State == StateSynced || s.State == StateSaved }
