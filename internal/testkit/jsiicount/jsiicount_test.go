package jsiicount

import (
	"slices"
	"strings"
	"testing"
)

// A kernel log as JSII_DEBUG=1 writes it (trimmed): requests, their answers, the kernel's
// own debug lines (one cut short, with a request after it on its line), a callback and its
// completion, and a line of the app's own.
const sampleLog = `> {"api":"load","name":"constructs","version":"10.8.1","tarball":"/tmp/constructs.tgz"}
[@jsii/kernel] load {
  api: 'load',
}
< {"ok":{"assembly":"constructs","types":12}}
> {"api":"create","fqn":"aws-cdk-lib.App","args":[null]}
< {"ok":{"$jsii.byref":"aws-cdk-lib.App@10000"}}
> {"api":"get","property":"node","objref":{"$jsii.byref":"aws-cdk-lib.App@10000"}}
< {"ok":{"value":{"$jsii.byref":"constructs.Node@10001"}}}
> {"api":"sinvoke","fqn":"aws-cdk-lib.Stack","method":"of","args":[{"$jsii.byref":"constructs.Construct@10008"}]}
> {"api":"sget","fqn":"aws-cdk-lib.aws_lambda.Runtime","property":"PROVIDED_AL2023"}
> {"api":"get","property":"node","objref":{"$jsii.byref":"constructs.Construct@10009"}}
> {"api":"get","property":"node","objref":{"$jsii.byref":"constructs.Construct@10010"}}
[@jsii/kernel] a debug line cut short> {"api":"get","property":"node","objref":{"$jsii.byref":"constructs.Construct@10011"}}
app: a line of the app's own
< {"callback":{"cookie":"Visit","cbid":"jsii::callback::20000","invoke":{"objref":{"$jsii.byref":"Object@10011"},"method":"visit","args":[]}}}
> {"complete":{"cbid":"jsii::callback::20000","result":null}}
> {"exit":0}
`

func TestParse(t *testing.T) {
	c, err := Parse(strings.NewReader(sampleLog))
	if err != nil {
		t.Fatal(err)
	}
	if c.Requests != 8 || c.Callbacks != 1 || c.Total() != 9 {
		t.Errorf("requests %d, callbacks %d, total %d; want 8, 1, 9", c.Requests, c.Callbacks, c.Total())
	}
	want := []string{
		"3 get node on constructs.Construct", "1 callback visit", "1 create aws-cdk-lib.App", "1 get node on aws-cdk-lib.App",
		"1 load", "1 sget aws-cdk-lib.aws_lambda.Runtime.PROVIDED_AL2023", "1 sinvoke aws-cdk-lib.Stack.of",
	}
	if got := c.Top(0); !slices.Equal(got, want) {
		t.Errorf("Top(0) = %q\nwant %q", got, want)
	}
	if got := c.Top(2); !slices.Equal(got, want[:2]) {
		t.Errorf("Top(2) = %q, want %q", got, want[:2])
	}
}

func TestSub(t *testing.T) {
	one, _ := Parse(strings.NewReader(sampleLog))
	two, _ := Parse(strings.NewReader(sampleLog + `> {"api":"get","property":"node","objref":{"$jsii.byref":"constructs.Construct@10012"}}` + "\n"))
	d := two.Sub(one)
	if d.Requests != 1 || d.Callbacks != 0 || !slices.Equal(d.Top(0), []string{"1 get node on constructs.Construct"}) {
		t.Errorf("Sub = %+v; want one more get node", d)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct{ name, log, want string }{
		{"no debug log", "app: synthesized\n", "no kernel request; run the app with JSII_DEBUG=1"},
		{"cut line", `> {"api":"get","property":` + "\n", "jsii log: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(tt.log)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
