package oracle

import (
	"encoding/json"
	"fmt"
)

// YjsError is an error that Yjs itself raised while answering a request, e.g. on a malformed update.
// The oracle is still usable after it.
type YjsError struct {
	Op      string // the operation that failed, e.g. "merge"
	Message string // Yjs's error message
}

func (e *YjsError) Error() string { return fmt.Sprintf("yjs %s: %s", e.Op, e.Message) }

// answer is one line the harness writes back.
type answer struct {
	ID     *uint64         `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// call sends one request (the fields of args plus id and op) and decodes the result into out.
// A transport failure (node died, garbled stream) breaks the Oracle for good; a Yjs error does not.
func (o *Oracle) call(op string, args map[string]any, out any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.mu.broken != nil {
		return o.mu.broken
	}
	o.mu.nextID++
	id := o.mu.nextID
	req := map[string]any{"id": id, "op": op}
	for k, v := range args {
		req[k] = v
	}
	line, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("oracle %s: encoding request: %w", op, err)
	}
	if _, err := o.mu.stdin.Write(append(line, '\n')); err != nil {
		return o.breakWith(fmt.Errorf("oracle %s: writing to node (did it exit? see the stderr lines above): %w", op, err))
	}
	reply, err := o.mu.stdout.ReadBytes('\n')
	if err != nil {
		return o.breakWith(fmt.Errorf("oracle %s: reading from node (did it exit? see the stderr lines above): %w", op, err))
	}
	var a answer
	if err := json.Unmarshal(reply, &a); err != nil {
		return o.breakWith(fmt.Errorf("oracle %s: answer is not JSON: %w (%.200q)", op, err, reply))
	}
	if a.ID == nil || *a.ID != id {
		if !a.OK {
			return o.breakWith(fmt.Errorf("oracle %s: node could not read the request: %s", op, a.Error))
		}
		return o.breakWith(fmt.Errorf("oracle %s: answer for request %v while waiting for %d", op, a.ID, id))
	}
	if !a.OK {
		return &YjsError{Op: op, Message: a.Error}
	}
	if err := json.Unmarshal(a.Result, out); err != nil {
		return fmt.Errorf("oracle %s: decoding result: %w", op, err)
	}
	return nil
}

// breakWith records err as the permanent state of the Oracle. The caller holds o.mu.
func (o *Oracle) breakWith(err error) error {
	o.mu.broken = err
	return err
}

func (o *Oracle) ping() error {
	var pong struct{ Yjs string }
	return o.call("ping", nil, &pong)
}
