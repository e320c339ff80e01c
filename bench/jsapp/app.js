#!/usr/bin/env node
// The benchmark's yardstick: a plain CommonJS CDK app (no TypeScript step) on the same
// aws-cdk-lib as golive, declaring the same resources as golive's app for the same
// config: per function a Function (with its role), the LIVE alias and,
// when pinned, a CodeDeploy deployment group and one metric-math rollback alarm; per
// stack one CodeDeploy application and service role shared by the groups; one output
// per function; and, with a pinned function, the release dashboard (a row of graphs per
// pinned function, searching by ExecutedVersion) and the output naming it. synthbench
// checks that the resource counts per type are equal.
//
// Context: config=PATH (the generated config.json), env=NAME (one environment only).
// Environment: BENCH_ASSET_DIR and BENCH_ASSET_HASH, the handler golive builds, prebuilt
// by synthbench so that both apps package the same bytes.
'use strict';

const fs = require('fs');
const { Construct } = require('constructs');
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const iam = require('aws-cdk-lib/aws-iam');
const codedeploy = require('aws-cdk-lib/aws-codedeploy');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');

const ALIAS = 'LIVE';

const app = new cdk.App();
const cfg = JSON.parse(fs.readFileSync(app.node.tryGetContext('config'), 'utf8'));
const only = app.node.tryGetContext('env');
const assetDir = process.env.BENCH_ASSET_DIR;
const assetHash = process.env.BENCH_ASSET_HASH;
if (!assetDir || !assetHash) {
  throw new Error('BENCH_ASSET_DIR and BENCH_ASSET_HASH must name the prebuilt handler');
}

const configs = {
  AllAtOnce: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
  Canary10Percent5Minutes: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  Linear10PercentEvery1Minute: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
};

function outputKey(name) {
  return 'LiveVersion' + name.split(/[^A-Za-z0-9]+/).filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function rollbackAlarm(scope, functionName, version, a) {
  const dims = (executed) => Object.assign(
    { FunctionName: functionName, Resource: `${functionName}:${ALIAS}` },
    executed ? { ExecutedVersion: version } : {});
  const metric = (name, statistic, executed) => new cloudwatch.Metric({
    namespace: 'AWS/Lambda', metricName: name, statistic, dimensionsMap: dims(executed),
    period: cdk.Duration.minutes(1),
  });
  const usingMetrics = {};
  const terms = [];
  const desc = [];
  if (a.error_rate_percent != null) {
    usingMetrics.errors = metric('Errors', 'Sum', true);
    usingMetrics.invocations = metric('Invocations', 'Sum', true);
    terms.push(`100 * FILL(errors, 0) / FILL(invocations, 1) > ${a.error_rate_percent}`);
    desc.push(`error rate > ${a.error_rate_percent}%`);
  }
  if (a.throttles != null) {
    usingMetrics.throttles = metric('Throttles', 'Sum', false);
    terms.push(`FILL(throttles, 0) >= ${a.throttles}`);
    desc.push(`throttles >= ${a.throttles}/min`);
  }
  if (a.p99_duration_ms != null) {
    usingMetrics.p99 = metric('Duration', 'p99', true);
    terms.push(`FILL(p99, 0) > ${a.p99_duration_ms}`);
    desc.push(`p99 duration > ${a.p99_duration_ms} ms`);
  }
  return new cloudwatch.Alarm(scope, 'RollbackAlarm', {
    metric: new cloudwatch.MathExpression({
      expression: `IF(${terms.join(' OR ')}, 1, 0)`, usingMetrics, label: 'breaching',
      period: cdk.Duration.minutes(1),
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `Rolls back the CodeDeploy deployment of ${functionName} version ${version} when ${desc.join(' or ')}.`,
  });
}

function serviceStack(envName, env) {
  const stackName = `${cfg.project}-${envName}`;
  const stack = new cdk.Stack(app, stackName, {
    env: { account: env.account, region: env.region },
    description: `golive: ${envName} functions of ${cfg.project} (LIVE aliases, CodeDeploy canaries)`,
  });
  let shared;
  const rows = [];
  for (const name of Object.keys(env.lambda_functions).sort()) {
    const fn = Object.assign({}, cfg.lambda_functions[name], env.lambda_functions[name]);
    const functionName = fn.function_name || `${cfg.project}-${envName}-${name}`;
    const version = fn.live_version == null ? '' : String(fn.live_version);
    const scope = new Construct(stack, name);
    const f = new lambda.Function(scope, 'Resource', {
      functionName,
      architecture: lambda.Architecture.ARM_64,
      memorySize: fn.memory_mb || 128,
      timeout: cdk.Duration.seconds(fn.timeout_s || 3),
      code: lambda.Code.fromAsset(assetDir, { assetHash, assetHashType: cdk.AssetHashType.CUSTOM }),
      handler: 'bootstrap',
      runtime: lambda.Runtime.PROVIDED_AL2023,
    });
    f.applyRemovalPolicy(cdk.RemovalPolicy.RETAIN);
    f.role.applyRemovalPolicy(cdk.RemovalPolicy.RETAIN);
    const alias = new lambda.Alias(scope, 'Live', {
      aliasName: ALIAS,
      version: version ? lambda.Version.fromVersionAttributes(scope, 'LiveVersion', { lambda: f, version }) : f.latestVersion,
    });
    const dep = fn.deployment || {};
    if (version && dep.type !== 'None') {
      if (!shared) {
        const c = new Construct(stack, 'CodeDeploy');
        shared = {
          application: new codedeploy.LambdaApplication(c, 'Application', { applicationName: stackName }),
          role: new iam.Role(c, 'ServiceRole', {
            assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
            description: "Shifts LIVE alias traffic for the stack's CodeDeploy deployment groups",
          }),
        };
      }
      const alarms = dep.alarms ? [rollbackAlarm(scope, functionName, version, dep.alarms)] : [];
      new codedeploy.LambdaDeploymentGroup(scope, 'Deployment', {
        alias,
        application: shared.application,
        role: shared.role,
        deploymentConfig: configs[dep.type || 'Canary10Percent5Minutes'],
        deploymentGroupName: functionName,
        alarms,
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: alarms.length > 0 },
      });
    }
    if (version) {
      rows.push(functionName);
    }
    new cdk.CfnOutput(stack, outputKey(name), {
      value: version || '$LATEST',
      description: `LIVE version of ${functionName} recorded by the last deploy`,
    });
  }
  if (rows.length > 0 && env.dashboard !== false) {
    releaseDashboard(stack, stackName, env.region, rows);
  }
}

function releaseDashboard(stack, stackName, region, functionNames) {
  const search = (fn, metric, stat) => `SEARCH('{AWS/Lambda,ExecutedVersion,FunctionName,Resource} FunctionName="${fn}" ` +
    `Resource="${fn}:${ALIAS}" MetricName="${metric}"', '${stat}', 60)`;
  const widgets = [{ type: 'text', x: 0, y: 0, width: 24, height: 2, properties: { markdown: '## Releases' } }];
  functionNames.forEach((fn, i) => {
    const y = 2 + 6 * i;
    [['Invocations', 'Sum'], ['Errors', 'Sum'], ['Duration', 'p99']].forEach(([metric, stat], j) => {
      widgets.push({ type: 'metric', x: 6 * j, y, width: 6, height: 6, properties: {
        title: `${fn}: ${metric}`, region, view: 'timeSeries', stacked: false, period: 60, stat,
        metrics: [[{ expression: search(fn, metric, stat), id: metric.toLowerCase(), label: "v${PROP('Dim.ExecutedVersion')}" }]],
      } });
    });
    widgets.push({ type: 'text', x: 18, y, width: 6, height: 6, properties: { markdown: `### ${fn}: rollback alarm` } });
  });
  const name = `${stackName}-releases`;
  new cloudwatch.CfnDashboard(stack, 'Releases', { dashboardName: name, dashboardBody: JSON.stringify({ widgets }) });
  new cdk.CfnOutput(stack, 'ReleaseDashboard', { value: name });
}

for (const [envName, env] of Object.entries(cfg.envs)) {
  if (!only || only === envName) {
    serviceStack(envName, env);
  }
}
app.synth();
