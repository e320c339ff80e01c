// Package cwcbor puts moto_server behind the wire protocol the SDK's CloudWatch client
// speaks. aws-sdk-go-v2's CloudWatch client sends Smithy RPC v2 CBOR (POST
// /service/GraniteServiceVersion20100801/operation/OP, Content-Type application/cbor; the
// client's Options.Protocol is rpcv2.NewCBOR), which moto_server 5.2 does not route: it
// serves CloudWatch's query protocol alone. Front translates the wire and nothing else:
// each CBOR request becomes the same operation in the query protocol (CloudWatch API
// Reference, "Common query parameters"; lists as Name.member.N), moto stores and
// aggregates the metrics, and its XML answer is encoded back as CBOR for the operations the
// tests use, PutMetricData and GetMetricData. So the real SDK client, its paginator and
// moto's own GetMetricData meet, and no CloudWatch semantics are ours.
package cwcbor

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

const prefix = "/service/GraniteServiceVersion20100801/operation/"

// Front serves CloudWatch's CBOR protocol on a loopback port, forwarding to moto at motoURL,
// and passes every other request to moto as it is: one endpoint (golive's --endpoint-url)
// serves every service. Close it when done.
func Front(motoURL string) (*httptest.Server, error) {
	target, err := url.Parse(motoURL)
	if err != nil {
		return nil, err
	}
	rest := httputil.NewSingleHostReverseProxy(target)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || r.Method != http.MethodPost {
			rest.ServeHTTP(w, r)
			return
		}
		var in io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			// The client compresses PutMetricData's body (the operation's requestCompression
			// trait), as CloudWatch accepts.
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				cborError(w, http.StatusBadRequest, "SerializationException", err.Error())
				return
			}
			in = zr
		}
		body, err := io.ReadAll(in)
		if err != nil {
			cborError(w, http.StatusBadRequest, "SerializationException", err.Error())
			return
		}
		form := url.Values{"Action": {op}, "Version": {"2010-08-01"}}
		if len(body) > 0 {
			v, err := cbor.Decode(body)
			if err != nil {
				cborError(w, http.StatusBadRequest, "SerializationException", err.Error())
				return
			}
			flatten(form, "", v)
		}
		status, answer, err := forward(motoURL, form)
		if err != nil {
			cborError(w, http.StatusBadGateway, "InternalFailure", err.Error())
			return
		}
		if status != http.StatusOK {
			var e struct {
				Code    string `xml:"Error>Code"`
				Message string `xml:"Error>Message"`
			}
			_ = xml.Unmarshal(answer, &e)
			cborError(w, status, e.Code, e.Message)
			return
		}
		var out cbor.Value
		switch op {
		case "PutMetricData":
			out = cbor.Map{}
		case "GetMetricData":
			out, err = metricData(answer)
		default:
			cborError(w, http.StatusNotImplemented, "UnknownOperationException", "cwcbor translates PutMetricData and GetMetricData only, not "+op)
			return
		}
		if err != nil {
			cborError(w, http.StatusBadGateway, "InternalFailure", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		_, _ = w.Write(cbor.Encode(out))
	})), nil
}

// forward posts form to moto, signed for the monitoring service so that moto_server routes it
// to CloudWatch (it reads the service from the credential scope; it checks no signature).
func forward(motoURL string, form url.Values) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, motoURL+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// flatten writes v as query parameters under name: structures by member name, lists as
// name.member.N, timestamps (CBOR tag 1, epoch seconds) in ISO 8601.
func flatten(form url.Values, name string, v cbor.Value) {
	join := func(k string) string {
		if name == "" {
			return k
		}
		return name + "." + k
	}
	switch x := v.(type) {
	case cbor.Map:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(form, join(k), x[k])
		}
	case cbor.List:
		for i, e := range x {
			flatten(form, fmt.Sprintf("%s.member.%d", name, i+1), e)
		}
	case *cbor.Tag:
		if t, err := cbor.AsTime(x); err == nil {
			form.Set(name, t.UTC().Format(time.RFC3339Nano))
		}
	case cbor.String:
		form.Set(name, string(x))
	case cbor.Uint:
		form.Set(name, strconv.FormatUint(uint64(x), 10))
	case cbor.NegInt:
		form.Set(name, "-"+strconv.FormatUint(uint64(x), 10))
	case cbor.Float32:
		form.Set(name, strconv.FormatFloat(float64(x), 'g', -1, 32))
	case cbor.Float64:
		form.Set(name, strconv.FormatFloat(float64(x), 'g', -1, 64))
	case cbor.Bool:
		form.Set(name, strconv.FormatBool(bool(x)))
	}
}

// metricData encodes moto's GetMetricDataResponse as the CBOR shape of GetMetricDataOutput.
func metricData(answer []byte) (cbor.Value, error) {
	var r struct {
		Results []struct {
			ID         string   `xml:"Id"`
			Label      string   `xml:"Label"`
			StatusCode string   `xml:"StatusCode"`
			Timestamps []string `xml:"Timestamps>member"`
			Values     []string `xml:"Values>member"`
		} `xml:"GetMetricDataResult>MetricDataResults>member"`
		NextToken string `xml:"GetMetricDataResult>NextToken"`
	}
	if err := xml.Unmarshal(answer, &r); err != nil {
		return nil, fmt.Errorf("moto's GetMetricData answer: %w", err)
	}
	results := cbor.List{}
	for _, res := range r.Results {
		ts, vs := cbor.List{}, cbor.List{}
		for _, s := range res.Timestamps {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, fmt.Errorf("moto's timestamp %q: %w", s, err)
			}
			ts = append(ts, &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixNano()) / 1e9)})
		}
		for _, s := range res.Values {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) {
				return nil, fmt.Errorf("moto's value %q: %v", s, err)
			}
			vs = append(vs, cbor.Float64(f))
		}
		results = append(results, cbor.Map{
			"Id": cbor.String(res.ID), "Label": cbor.String(res.Label), "StatusCode": cbor.String(res.StatusCode),
			"Timestamps": ts, "Values": vs,
		})
	}
	out := cbor.Map{"MetricDataResults": results}
	if r.NextToken != "" {
		out["NextToken"] = cbor.String(r.NextToken)
	}
	return out, nil
}

// cborError answers an RPC v2 CBOR error: the code in __type, the text in message.
func cborError(w http.ResponseWriter, status int, code, message string) {
	if code == "" {
		code = "UnknownError"
	}
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.WriteHeader(status)
	_, _ = io.Copy(w, bytes.NewReader(cbor.Encode(cbor.Map{"__type": cbor.String(code), "message": cbor.String(message)})))
}
