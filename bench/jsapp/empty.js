#!/usr/bin/env node
// A JavaScript CDK app with one empty stack (the CLI refuses an app without stacks):
// the floor of every JS synth.
'use strict';
const cdk = require('aws-cdk-lib');
const app = new cdk.App();
new cdk.Stack(app, 'floor');
app.synth();
