package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/release"
)

// Every command keeps its flags in an options struct whose run method does the work: the
// flags are registered next to the struct's fields, and what a command acts on (--env and
// --function) is one type, target, registered the same way everywhere.

// target is what a command acts on: one environment and some of its functions (all when
// none is named).
type target struct {
	env       string
	functions []string
	// stack, instead of env, is a stack that uses the construct without config.json.
	stack string
	// one is set for commands that act on exactly one function (rollback).
	one bool
	// pins, with stack, is a pins file (package pins) holding the stack's pins under its name.
	pins string
}

// registerPins adds --pins, for the commands that read or write pins (publish, rollback,
// prune) or judge the next deploy's (plan, verify).
func (t *target) registerPins(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.pins, "pins", "", "with --stack: a pins file holding the stack's pins under its name, by construct id: what the next deploy pins, which --pin and rollback write")
}

func (t *target) register(cmd *cobra.Command, one bool) {
	t.one = one
	f := cmd.Flags()
	f.StringVar(&t.env, "env", "", "environment in the config (this or --stack is required)")
	f.StringVar(&t.stack, "stack", "", "a stack that uses the construct, without config.json: its functions come from its LiveVersion outputs")
	if one {
		f.StringSliceVar(&t.functions, "function", nil, "function key in the config, or with --stack its construct id or name (required)")
		_ = cmd.MarkFlagRequired("function")
	} else {
		f.StringSliceVar(&t.functions, "function", nil, "function key in the config, or with --stack its construct id or name (repeatable; default: all)")
	}
}

// check refuses an empty --env or --function: an unset pipeline variable must not select
// every function.
func (t *target) check(cmd *cobra.Command) error {
	envSet, stackSet := cmd.Flags().Changed("env"), cmd.Flags().Changed("stack")
	switch {
	case envSet && stackSet:
		return usagef("--env %q and --stack %q: want one of them (--stack works without config.json)", t.env, t.stack)
	case !envSet && !stackSet:
		return usagef("want --env E (an environment of config.json) or --stack NAME (a stack that uses the construct)")
	case stackSet && t.stack == "":
		return usagef(`--stack "": want a CloudFormation stack name`)
	case envSet && t.env == "":
		return usagef(`--env "": want an environment of the config, such as prd`)
	}
	if f := cmd.Flags().Lookup("pins"); f != nil && f.Changed {
		if !stackSet {
			return usagef("--pins %q: want --stack NAME too; with --env the pins are in config.json", t.pins)
		}
		if t.pins == "" {
			return usagef(`--pins "": want a pins file, such as pins.json`)
		}
	}
	if cmd.Flags().Changed("function") {
		if len(t.functions) == 0 {
			return usagef(`--function "": want a function key of the config (leave --function out for every function)`)
		}
		for _, f := range t.functions {
			if strings.TrimSpace(f) == "" {
				return usagef("--function %q: an empty name in the list; want function keys of the config", strings.Join(t.functions, ","))
			}
		}
	}
	if t.one && len(t.functions) != 1 {
		return usagef("--function %q: want exactly one function", strings.Join(t.functions, ","))
	}
	return nil
}

// perFunction is a result with an outcome per function; its failures are already shown in
// the result.
type perFunction interface{ FunctionErrors() []error }

// finish turns per-function failures into exit 1 with one summary line on stderr (and the
// endpoint hint when the network, not AWS, failed).
func (g *globals) finish(what string, rep perFunction, total int) error {
	errs := rep.FunctionErrors()
	if len(errs) == 0 {
		return nil
	}
	fmt.Fprintf(g.app.Stderr, "golive: %s failed for %d of %d functions\n", what, len(errs), total)
	for _, err := range errs {
		if unreachable(err) {
			fmt.Fprintf(g.app.Stderr, "golive: cannot reach %s (check --endpoint-url, --region and the network)\n", g.where())
			break
		}
	}
	return errReported
}

// command is the golive command line that reruns args with this run's global flags.
func (g *globals) command(args ...string) string {
	var b strings.Builder
	b.WriteString("golive")
	add := func(flag, v, def string) {
		if v != def {
			args = append(args, flag, v)
		}
	}
	add("--config", g.configPath, defaultConfig)
	add("--region", g.region, "")
	add("--profile", g.profile, "")
	add("--role-arn", g.roleARN, "")
	add("--endpoint-url", g.endpointURL, "")
	add("--call-timeout", g.callTimeout.String(), DefaultCallTimeout.String())
	add("--concurrency", strconv.Itoa(g.workers), strconv.Itoa(release.DefaultWorkers))
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
