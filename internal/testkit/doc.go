// Package testkit holds golive's test tooling, none of it product code: each
// subpackage stands in for one real part so that tests can drive golive end to end.
//
//   - fakeaws: in-memory Lambda, CloudFormation and CodeDeploy with AWS's refusals, for
//     the release logic's unit tests.
//   - codedeployfake: CodeDeploy over its real JSON 1.1 wire protocol, answering only
//     what the API reference documents, for the operations moto lacks.
//   - moto, mototest: start moto_server on a free loopback port, for the CLI's
//     integration tests and the benchmarks.
//   - faults: a fault-injecting proxy in front of moto_server.
//   - synthcheck: shared checks of synthesized templates (cfn-lint, single synth).
//   - rulecases: the inputs that config and the construct must accept or refuse alike,
//     so a rule of internal/lambdarules cannot drift between the two.
//   - jsiicount: counts a Go CDK app's jsii round trips from the kernel's log, for the
//     benchmarks and the test that bounds them per pinned function.
//   - syncbuf: a buffer a running command writes while the test reads it.
//   - ledger: reads docs/aws-behaviour.md; its tests keep the ledger, the fakes and
//     scripts/aws-check.sh in step with the code.
package testkit
