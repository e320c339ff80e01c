// Package faults is a fault-injecting HTTP proxy for tests: it sits between golive and
// moto_server and, by rule, answers a request as a throttled or failing AWS would (Lambda's
// 429 TooManyRequestsException, CloudFormation's and CodeDeploy's ThrottlingException, a
// 5xx), drops the connection before or after forwarding it (the request lost, or its answer
// lost after moto acted), delays it or hangs it until the client gives up.
//
// Which request gets a fault is decided from a seed and the request's identity (operation,
// path and how many times that exact request was seen), not from arrival order, so a run
// with the same seed faults the same requests however golive's goroutines interleave.
package faults

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Kind is what a rule does to a request.
type Kind int

const (
	// Throttle answers as AWS does over its request rate, without forwarding.
	Throttle Kind = iota + 1
	// ServerError answers 500 ServiceException (Lambda) or InternalFailure, without forwarding.
	ServerError
	// DropBefore closes the connection without forwarding: the request never reached AWS.
	DropBefore
	// DropAfter forwards the request, then closes the connection without an answer: AWS
	// acted and the client never learns it.
	DropAfter
	// Delay waits Rule.Delay, then forwards.
	Delay
	// Hang never answers: it holds the request until the client gives up or the proxy closes.
	Hang
	// HangAfter forwards the request, then holds the answer like Hang: AWS acted, and the
	// client is still waiting when it gives up (an interrupt, a timeout).
	HangAfter
)

func (k Kind) String() string {
	return [...]string{"none", "throttle", "server-error", "drop-before", "drop-after", "delay", "hang", "hang-after"}[k]
}

// Rule faults a share of the requests it matches.
type Rule struct {
	// Op is the operation matched ("PublishVersion"); "" matches every operation.
	Op string
	// Function, when set, matches only requests about that function name.
	Function string
	Kind     Kind
	// Rate is the share of matching requests faulted, 0 < Rate <= 1.
	Rate float64
	// Delay is Delay's wait.
	Delay time.Duration
	// Attempts, when above 0, faults only the first Attempts sights of each request (the
	// same method, URL and operation), so that the SDK's retry of it goes through.
	Attempts int
}

// Proxy forwards to a target and injects the faults of its rules, the first matching rule
// that fires winning.
type Proxy struct {
	// URL is the proxy's endpoint, to pass as --endpoint-url.
	URL string

	target *url.URL
	seed   uint64
	rules  []Rule
	srv    *http.Server
	ln     net.Listener
	rp     *httputil.ReverseProxy
	closed chan struct{}

	mu        sync.Mutex
	seen      map[string]int
	forwarded map[string]int
	faulted   map[string]int
}

// Start listens on a free loopback port and proxies to target (moto's URL).
func Start(target string, seed uint64, rules ...Rule) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("faults: target %q: %w", target, err)
	}
	for i, r := range rules {
		if r.Kind < Throttle || r.Kind > HangAfter || r.Rate <= 0 || r.Rate > 1 {
			return nil, fmt.Errorf("faults: rule %d: want a kind and 0 < rate <= 1, got %+v", i, r)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faults: listen: %w", err)
	}
	p := &Proxy{
		URL: "http://" + ln.Addr().String(), target: u, seed: seed, rules: rules, ln: ln,
		closed: make(chan struct{}), seen: map[string]int{}, forwarded: map[string]int{}, faulted: map[string]int{},
	}
	p.rp = httputil.NewSingleHostReverseProxy(u)
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// SetRules replaces the rules, e.g. to rerun a command through a calmer proxy.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = rules
}

// Close stops the proxy, releasing hung requests.
func (p *Proxy) Close() error {
	close(p.closed)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.srv.Shutdown(ctx)
}

// Forwarded is how many requests of op the target answered (DropAfter and HangAfter
// included, whose answers the client never gets).
func (p *Proxy) Forwarded(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forwarded[op]
}

// Faulted is how many requests of op got a fault (Delay included).
func (p *Proxy) Faulted(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faulted[op]
}

// request is what the rules look at: the AWS operation and the function it is about.
type request struct {
	service, op, function string
}

var lambdaPath = regexp.MustCompile(`^/20\d\d-\d\d-\d\d/functions/([^/]+)(/[^/]+)?(/[^/]+)?$`)

// identify names the operation of a request in the three protocols golive speaks: Lambda's
// REST paths, CloudFormation's query protocol (Action in the form body) and CodeDeploy's
// JSON protocol (X-Amz-Target).
func identify(r *http.Request, body []byte) request {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		service, op, _ := strings.Cut(t, ".")
		return request{service: service, op: op}
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		if q, err := url.ParseQuery(string(body)); err == nil && q.Get("Action") != "" {
			return request{service: "cloudformation", op: q.Get("Action")}
		}
	}
	m := lambdaPath.FindStringSubmatch(r.URL.EscapedPath())
	if strings.HasSuffix(r.URL.Path, "/account-settings") || strings.HasSuffix(r.URL.Path, "/account-settings/") {
		return request{service: "lambda", op: "GetAccountSettings"}
	}
	if m == nil {
		return request{service: "other", op: r.Method + " " + r.URL.Path}
	}
	fn, _ := url.PathUnescape(m[1])
	sub, item := m[2], m[3]
	op := map[string]string{
		"GET /configuration": "GetFunctionConfiguration", "GET /versions": "ListVersionsByFunction",
		"POST /versions": "PublishVersion", "POST /invocations": "Invoke", "GET /aliases": "ListAliases",
		"DELETE ": "DeleteFunction", "GET ": "GetFunction", "GET /provisioned-concurrency": "GetProvisionedConcurrencyConfig",
	}[r.Method+" "+sub]
	if sub == "/aliases" && item != "" {
		op = map[string]string{"GET": "GetAlias", "PUT": "UpdateAlias"}[r.Method]
	}
	if op == "" {
		op = r.Method + " " + sub + item
	}
	return request{service: "lambda", op: op, function: fn}
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := identify(r, body)

	p.mu.Lock()
	key := r.Method + " " + r.URL.String() + " " + req.op
	n := p.seen[key]
	p.seen[key]++
	rules := p.rules
	p.mu.Unlock()

	rule, ok := pick(p.seed, rules, req, key, n)
	if !ok {
		p.forward(w, r, req)
		return
	}
	p.mu.Lock()
	p.faulted[req.op]++
	p.mu.Unlock()
	switch rule.Kind {
	case Throttle:
		throttle(w, req)
	case ServerError:
		serverError(w, req)
	case DropBefore:
		drop(w)
	case DropAfter:
		p.forward(&discard{header: http.Header{}}, detached(r), req)
		drop(w)
	case Delay:
		select {
		case <-time.After(rule.Delay):
		case <-r.Context().Done():
			return
		}
		p.forward(w, r, req)
	case Hang, HangAfter:
		if rule.Kind == HangAfter {
			p.forward(&discard{header: http.Header{}}, detached(r), req)
		}
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
	}
}

// pick returns the first rule that matches and fires for the n-th sight of key.
func pick(seed uint64, rules []Rule, req request, key string, n int) (Rule, bool) {
	for i, rule := range rules {
		if (rule.Op != "" && rule.Op != req.op) || (rule.Function != "" && rule.Function != req.function) ||
			(rule.Attempts > 0 && n >= rule.Attempts) {
			continue
		}
		// A cryptographic hash, so that requests differing in a digit roll independently.
		h := sha256.Sum256(fmt.Appendf(nil, "%d|%d|%s|%d", seed, i, key, n))
		if float64(binary.BigEndian.Uint64(h[:8]))/math.MaxUint64 < rule.Rate {
			return rule, true
		}
	}
	return Rule{}, false
}

// forward counts the request once the target has answered it, so that a test waiting on
// Forwarded knows the target acted.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, req request) {
	p.rp.ServeHTTP(w, r)
	p.mu.Lock()
	p.forwarded[req.op]++
	p.mu.Unlock()
}

// detached is r without its client's cancellation: a request whose answer is to be lost
// still reaches the target whole when the client gives up meanwhile (an interrupt).
func detached(r *http.Request) *http.Request {
	return r.WithContext(context.WithoutCancel(r.Context()))
}

// throttle answers as the service does: Lambda with 429 TooManyRequestsException ("Rate
// exceeded", Lambda API reference, Errors), the query and JSON protocols with 400
// ThrottlingException.
func throttle(w http.ResponseWriter, req request) {
	switch req.service {
	case "lambda":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", "TooManyRequestsException")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"message":"Rate exceeded","Reason":"CallerRateLimitExceeded","Type":"User"}`)
	case "cloudformation":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>0</RequestId></ErrorResponse>`)
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
	}
}

func serverError(w http.ResponseWriter, req request) {
	switch req.service {
	case "lambda":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", "ServiceException")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"message":"An internal error occurred"}`)
	case "cloudformation":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>internal error</Message></Error><RequestId>0</RequestId></ErrorResponse>`)
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"__type":"ServiceUnavailableException","message":"unavailable"}`)
	}
}

// drop closes the client's connection without an HTTP answer.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset, as a dropped connection looks to the client
	}
	_ = conn.Close()
}

// discard is a ResponseWriter that throws the answer away.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
