package versionedfunction

import (
	"reflect"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// reportWarning adds an acknowledgeable warning (Annotations.AddWarningV2, which `cdk synth`
// prints with the construct's path and "Acknowledge with 'Annotation::ID'"). It calls the
// method by reflection, passing nil for any parameter after the id and the message, because
// aws-cdk-go's Go signature of the method changed within CDK v2: v2.277.0 added the optional
// WarningOptions as a third parameter, which jsii's Go bindings make a required one. A direct
// call compiles against one of the two signatures only, and Go's minimal version selection
// builds golive with the newest aws-cdk-go an app requires, so an app of one's own on a newer
// aws-cdk-go than golive's go.mod names could not build the construct.
func reportWarning(c constructs.IConstruct, id, message string) {
	addWarningV2(awscdk.Annotations_Of(c), id, message)
}

// addWarningV2 calls annotations' AddWarningV2 with id, message and a zero value (nil) for
// each parameter after them.
func addWarningV2(annotations any, id, message string) {
	m := reflect.ValueOf(annotations).MethodByName("AddWarningV2")
	args := []reflect.Value{reflect.ValueOf(jsii.String(id)), reflect.ValueOf(jsii.String(message))}
	for i := len(args); i < m.Type().NumIn(); i++ {
		args = append(args, reflect.Zero(m.Type().In(i)))
	}
	m.Call(args)
}
