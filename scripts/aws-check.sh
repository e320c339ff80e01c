#!/usr/bin/env bash
# aws-check: check on a real AWS account the rows of docs/aws-behaviour.md that no test can
# reproduce. Read-only: it calls only cloudwatch list-metrics, deploy get-deployment-group,
# deploy get-deployment, deploy get-application-revision, deploy list-deployment-targets,
# deploy batch-get-deployment-targets, lambda get-function-configuration
# and iam simulate-principal-policy, with the AWS CLI and the usual credential chain. Each check prints one line: agrees, contradicts (the ledger row is wrong)
# or inconclusive (why). Exit 1 when a check contradicts its row, 2 on a usage error, else 0.
set -uo pipefail

readonly ALL_CHECKS="invocations_alias invocations_executed_version throttles_executed_version getdeployment_content_absent application_revision_appspec deployment_target_type smoke_hook_denies_latest"

usage() {
	cat <<'EOF'
usage: scripts/aws-check.sh [flags]

Read-only checks of the AWS behaviours docs/aws-behaviour.md lists as unproven.

  --function NAME          the Lambda function (name, not ARN) for the metric checks
  --alias NAME             its alias (default LIVE)
  --application NAME       the CodeDeploy application for the deployment checks
  --deployment-group NAME  its deployment group (default: the function's name)
  --deployment-id ID       the deployment to read (default: the group's last attempted one)
  --smoke-role-arn ARN     the shipped smoke hook's role, for smoke_hook_denies_latest
  --check NAME             run only this check (repeatable); default: every check the
                           flags above allow
  --region R, --profile P, --endpoint-url URL
                           passed to the AWS CLI
  -h, --help               this text

checks:
  invocations_alias             W10 Invocations by FunctionName and Resource=NAME:ALIAS alone (what plan reads)
  invocations_executed_version  W1  Invocations by FunctionName, Resource=NAME:ALIAS, ExecutedVersion
  throttles_executed_version    W2  Throttles by ExecutedVersion (golive assumes there are none)
  getdeployment_content_absent  C4  GetDeployment carries the AppSpec's sha256, never its content
  application_revision_appspec  C5  GetApplicationRevision carries the AppSpec golive parses
  deployment_target_type        C20 the type of a Lambda deployment's target (LambdaTarget or CloudFormationTarget)
  smoke_hook_denies_latest      L18 the smoke hook's role may invoke NAME:N, never NAME:$LATEST
EOF
}

usage_error() {
	echo "aws-check: $*" >&2
	echo "aws-check: run scripts/aws-check.sh --help for the flags" >&2
	exit 2
}

FUNCTION=""
ALIAS="LIVE"
APPLICATION=""
GROUP=""
DEPLOYMENT=""
SMOKE_ROLE=""
CHECKS=()
AWS_ARGS=()

# value FLAG "$@": the flag's value, refusing a missing or empty one (or the next flag).
value() {
	if [[ $# -lt 2 || -z "$2" || "$2" == --* ]]; then
		usage_error "$1 needs a value"
	fi
	printf '%s' "$2"
}

while [[ $# -gt 0 ]]; do
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	--function | --alias | --application | --deployment-group | --deployment-id | --smoke-role-arn | --check | --region | --profile | --endpoint-url)
		v=$(value "$@") || exit 2
		case "$1" in
		--function) FUNCTION=$v ;;
		--alias) ALIAS=$v ;;
		--application) APPLICATION=$v ;;
		--deployment-group) GROUP=$v ;;
		--deployment-id) DEPLOYMENT=$v ;;
		--smoke-role-arn) SMOKE_ROLE=$v ;;
		--check) CHECKS+=("$v") ;;
		*) AWS_ARGS+=("$1" "$v") ;;
		esac
		shift 2
		;;
	*) usage_error "unknown argument \"$1\"" ;;
	esac
done

# The names go into the AWS CLI's shorthand (Name=...,Value=...): only what AWS allows in them.
if [[ -n "$FUNCTION" && ! "$FUNCTION" =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
	usage_error "--function \"$FUNCTION\": want a Lambda function name (1 to 64 letters, digits, - and _), not an ARN"
fi
if [[ ! "$ALIAS" =~ ^[A-Za-z0-9_-]{1,128}$ ]]; then
	usage_error "--alias \"$ALIAS\": want an alias name (letters, digits, - and _)"
fi
if [[ -n "$DEPLOYMENT" && ! "$DEPLOYMENT" =~ ^[A-Za-z0-9-]{1,64}$ ]]; then
	usage_error "--deployment-id \"$DEPLOYMENT\": want a CodeDeploy deployment id such as d-ABCDEF123"
fi
if [[ -n "$SMOKE_ROLE" && ! "$SMOKE_ROLE" =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$ ]]; then
	usage_error "--smoke-role-arn \"$SMOKE_ROLE\": want an IAM role ARN such as arn:aws:iam::123456789012:role/NAME"
fi
if [[ -z "$GROUP" ]]; then
	GROUP="$FUNCTION"
fi

# needs CHECK: prints the flag the check misses, nothing when it can run.
needs() {
	case "$1" in
	invocations_alias | invocations_executed_version | throttles_executed_version)
		if [[ -z "$FUNCTION" ]]; then echo "--function"; fi
		;;
	smoke_hook_denies_latest)
		if [[ -z "$FUNCTION" ]]; then
			echo "--function"
		elif [[ -z "$SMOKE_ROLE" ]]; then
			echo "--smoke-role-arn"
		fi
		;;
	getdeployment_content_absent | application_revision_appspec | deployment_target_type)
		if [[ -z "$APPLICATION" ]]; then
			echo "--application"
		elif [[ -z "$DEPLOYMENT" && -z "$GROUP" ]]; then
			echo "--deployment-id or --deployment-group (or --function)"
		fi
		;;
	esac
}

if [[ ${#CHECKS[@]} -eq 0 ]]; then
	for c in $ALL_CHECKS; do
		if [[ -z "$(needs "$c")" ]]; then CHECKS+=("$c"); fi
	done
	if [[ ${#CHECKS[@]} -eq 0 ]]; then
		usage_error "nothing to check: give --function for the metric checks, --application (and --function, --deployment-group or --deployment-id) for the deployment checks, --function and --smoke-role-arn for the smoke hook's role"
	fi
else
	for c in "${CHECKS[@]}"; do
		if [[ " $ALL_CHECKS " != *" $c "* ]]; then
			usage_error "--check \"$c\": want one of: $ALL_CHECKS"
		fi
		missing=$(needs "$c")
		if [[ -n "$missing" ]]; then usage_error "--check $c needs $missing"; fi
	done
fi

awscli() { aws "${AWS_ARGS[@]}" "$@"; }

CONTRADICTED=0
# verdict CHECK ROW STATE MESSAGE: one line, whatever the message holds.
verdict() {
	echo "$1 ($2): $3: $(printf '%s' "$4" | tr -s '\n\t' '  ')"
	if [[ "$3" == contradicts ]]; then CONTRADICTED=1; fi
}

# count_metrics METRIC DIMENSION...: how many metrics of AWS/Lambda match the dimension
# filters (and have any other dimensions too). The CLI reads every page; one word per metric
# counts them however it applies --query to the pages. COUNT_ONLY_DIMS=N counts only the
# metrics with exactly N dimensions.
count_metrics() {
	local metric=$1 out query='Metrics[].MetricName'
	shift
	if [[ -n "${COUNT_ONLY_DIMS:-}" ]]; then query="Metrics[?length(Dimensions) == \`$COUNT_ONLY_DIMS\`].MetricName"; fi
	if ! out=$(awscli cloudwatch list-metrics --namespace AWS/Lambda --metric-name "$metric" --dimensions "$@" \
		--query "$query" --output text 2>&1); then
		printf '%s' "$out"
		return 1
	fi
	wc -w <<<"$out" | tr -d ' '
}

check_invocations_alias() {
	local n
	if ! n=$(COUNT_ONLY_DIMS=2 count_metrics Invocations "Name=FunctionName,Value=$FUNCTION" "Name=Resource,Value=$FUNCTION:$ALIAS"); then
		verdict invocations_alias W10 inconclusive "list-metrics failed: $n"
	elif [[ "$n" -gt 0 ]]; then
		verdict invocations_alias W10 agrees "$FUNCTION:$ALIAS has Invocations by FunctionName and Resource alone"
	elif ! n=$(count_metrics Invocations "Name=FunctionName,Value=$FUNCTION" "Name=Resource,Value=$FUNCTION:$ALIAS"); then
		verdict invocations_alias W10 inconclusive "list-metrics failed: $n"
	elif [[ "$n" -gt 0 ]]; then
		verdict invocations_alias W10 contradicts "$FUNCTION:$ALIAS has Invocations only with more dimensions: plan reads no traffic"
	else
		verdict invocations_alias W10 inconclusive "no Invocations through $FUNCTION:$ALIAS in the past two weeks; invoke the alias, wait 15 minutes, rerun"
	fi
}

check_invocations_executed_version() {
	local n m
	if ! n=$(count_metrics Invocations "Name=FunctionName,Value=$FUNCTION" "Name=Resource,Value=$FUNCTION:$ALIAS" Name=ExecutedVersion); then
		verdict invocations_executed_version W1 inconclusive "list-metrics failed: $n"
		return
	fi
	if [[ "$n" -gt 0 ]]; then
		verdict invocations_executed_version W1 agrees "$n Invocations metric(s) of $FUNCTION:$ALIAS carry ExecutedVersion"
		return
	fi
	if ! m=$(count_metrics Invocations "Name=FunctionName,Value=$FUNCTION" "Name=Resource,Value=$FUNCTION:$ALIAS"); then
		verdict invocations_executed_version W1 inconclusive "list-metrics failed: $m"
	elif [[ "$m" -gt 0 ]]; then
		verdict invocations_executed_version W1 contradicts "$FUNCTION:$ALIAS has Invocations, but none with ExecutedVersion: the rollback alarm and the bake read nothing"
	else
		verdict invocations_executed_version W1 inconclusive "no Invocations through $FUNCTION:$ALIAS in the past two weeks (list-metrics shows only those); invoke the alias, wait 15 minutes, rerun"
	fi
}

check_throttles_executed_version() {
	local n m
	if ! n=$(count_metrics Throttles "Name=FunctionName,Value=$FUNCTION" Name=ExecutedVersion); then
		verdict throttles_executed_version W2 inconclusive "list-metrics failed: $n"
		return
	fi
	if [[ "$n" -gt 0 ]]; then
		verdict throttles_executed_version W2 contradicts "$n Throttles metric(s) of $FUNCTION carry ExecutedVersion: a version-scoped throttles term is possible"
		return
	fi
	if ! m=$(count_metrics Throttles "Name=FunctionName,Value=$FUNCTION"); then
		verdict throttles_executed_version W2 inconclusive "list-metrics failed: $m"
	elif [[ "$m" -gt 0 ]]; then
		verdict throttles_executed_version W2 agrees "$FUNCTION was throttled ($m Throttles metric(s)), none by ExecutedVersion"
	else
		verdict throttles_executed_version W2 inconclusive "$FUNCTION has no Throttles in the past two weeks; throttle it through $ALIAS (e.g. reserved concurrency 0 for a minute), wait 15 minutes, rerun"
	fi
}

# deployment: prints the deployment to read, from --deployment-id or the group's last
# attempted one; on failure prints why and returns 1.
deployment() {
	if [[ -n "$DEPLOYMENT" ]]; then
		printf '%s' "$DEPLOYMENT"
		return 0
	fi
	local id
	if ! id=$(awscli deploy get-deployment-group --application-name "$APPLICATION" --deployment-group-name "$GROUP" \
		--query 'deploymentGroupInfo.lastAttemptedDeployment.deploymentId' --output text 2>&1); then
		printf 'get-deployment-group failed: %s' "$id"
		return 1
	fi
	if [[ -z "$id" || "$id" == None ]]; then
		printf 'group %s/%s has no deployment yet; give --deployment-id' "$APPLICATION" "$GROUP"
		return 1
	fi
	printf '%s' "$id"
}

check_getdeployment_content_absent() {
	local id counts sha contents
	if ! id=$(deployment); then
		verdict getdeployment_content_absent C4 inconclusive "$id"
		return
	fi
	# How many of the revision's sha256 and content fields are set, e.g. "1	0". The backquotes
	# are JMESPath literals, not shell expansions.
	# shellcheck disable=SC2016
	if ! counts=$(awscli deploy get-deployment --deployment-id "$id" --output text --query \
		'deploymentInfo.revision.[length([appSpecContent.sha256, string.sha256][?@ != `null`]), length([appSpecContent.content, string.content][?@ != `null`])]' 2>&1); then
		verdict getdeployment_content_absent C4 inconclusive "get-deployment $id failed: $counts"
		return
	fi
	read -r sha contents <<<"$counts"
	if [[ "$contents" -gt 0 ]]; then
		verdict getdeployment_content_absent C4 contradicts "GetDeployment of $id returned the AppSpec's content"
	elif [[ "$sha" -gt 0 ]]; then
		verdict getdeployment_content_absent C4 agrees "GetDeployment of $id carries the sha256 and no content"
	else
		verdict getdeployment_content_absent C4 inconclusive "GetDeployment of $id carries neither an AppSpec sha256 nor content (not a Lambda deployment?)"
	fi
}

check_application_revision_appspec() {
	local id out kind sha rev first in_string in_appspec content fields format problems=()
	if ! id=$(deployment); then
		verdict application_revision_appspec C5 inconclusive "$id"
		return
	fi
	if ! out=$(awscli deploy get-deployment --deployment-id "$id" --output text \
		--query 'deploymentInfo.revision.[revisionType, appSpecContent.sha256 || string.sha256]' 2>&1); then
		verdict application_revision_appspec C5 inconclusive "get-deployment $id failed: $out"
		return
	fi
	read -r kind sha <<<"$out"
	if [[ -z "$sha" || "$sha" == None ]]; then
		verdict application_revision_appspec C5 inconclusive "deployment $id names no sha256 for its $kind revision"
		return
	fi
	case "$kind" in
	AppSpecContent) rev="{\"revisionType\":\"AppSpecContent\",\"appSpecContent\":{\"sha256\":\"$sha\"}}" ;;
	String) rev="{\"revisionType\":\"String\",\"string\":{\"sha256\":\"$sha\"}}" ;;
	*)
		verdict application_revision_appspec C5 inconclusive "deployment $id has a revision of type $kind, not the AppSpecContent or String of a Lambda deployment"
		return
		;;
	esac
	# One call: whether each field is set, then the content (which may span lines).
	# shellcheck disable=SC2016
	if ! out=$(awscli deploy get-application-revision --application-name "$APPLICATION" --revision "$rev" --output text \
		--query '[revision.string.content != `null`, revision.appSpecContent.content != `null`, revision.string.content || revision.appSpecContent.content]' 2>&1); then
		verdict application_revision_appspec C5 inconclusive "get-application-revision failed: $out"
		return
	fi
	first=${out%%$'\n'*}
	IFS=$'\t' read -r in_string in_appspec content <<<"$first"
	if [[ "$out" == *$'\n'* ]]; then content="$content"$'\n'"${out#*$'\n'}"; fi
	if [[ "$in_string" != True && "$in_appspec" != True ]]; then
		verdict application_revision_appspec C5 contradicts "GetApplicationRevision of $id's revision carries no AppSpec content"
		return
	fi
	fields="in revision.string.content"
	if [[ "$in_string" != True ]]; then fields="in revision.appSpecContent.content"; fi
	if [[ "$in_string" == True && "$in_appspec" == True ]]; then fields="in revision.string.content and revision.appSpecContent.content"; fi
	format=YAML
	if [[ "$(printf '%s' "$content" | tr -d '[:space:]' | cut -c1)" == "{" ]]; then format=JSON; fi
	# The User Guide writes the keys in lower case (name, currentversion), CloudFormation's
	# AppSpec may not: the hook reads them either way, and so does this check.
	for f in AWS::Lambda::Function Name Alias CurrentVersion TargetVersion; do
		grep -qi "$f" <<<"$content" || problems+=("no $f")
	done
	grep -Eq '"?version"?[[:space:]]*:[[:space:]]*"?0\.0' <<<"$content" || problems+=("no version 0.0")
	if [[ ${#problems[@]} -gt 0 ]]; then
		verdict application_revision_appspec C5 contradicts "the AppSpec ($format, $fields) has ${problems[*]}"
	else
		verdict application_revision_appspec C5 agrees "the AppSpec is $format, $fields, with version 0.0 and one AWS::Lambda::Function's Name, Alias, CurrentVersion and TargetVersion"
	fi
}

# The SDK's doc comment of types.DeploymentTarget says a CloudFormationTarget "is used for all
# deployments initiated by a CloudFormation stack update", as golive's are; its Lambda ones are
# LambdaTarget. golive watch reads both: this check prints which one AWS answers.
check_deployment_target_type() {
	local id ids out
	if ! id=$(deployment); then
		verdict deployment_target_type C20 inconclusive "$id"
		return
	fi
	if ! ids=$(awscli deploy list-deployment-targets --deployment-id "$id" --query 'targetIds' --output text 2>&1); then
		verdict deployment_target_type C20 inconclusive "list-deployment-targets of $id failed: $ids"
		return
	fi
	read -r -a ids <<<"$ids"
	if [[ ${#ids[@]} -eq 0 || "${ids[0]}" == None ]]; then
		verdict deployment_target_type C20 inconclusive "deployment $id lists no targets"
		return
	fi
	if ! out=$(awscli deploy batch-get-deployment-targets --deployment-id "$id" --target-ids "${ids[0]}" \
		--query 'deploymentTargets[].deploymentTargetType' --output text 2>&1); then
		verdict deployment_target_type C20 inconclusive "batch-get-deployment-targets of $id failed: $out"
		return
	fi
	case "$out" in
	LambdaTarget | CloudFormationTarget)
		verdict deployment_target_type C20 agrees "the target ${ids[0]} of deployment $id is a $out (golive watch reads LambdaTarget and CloudFormationTarget)"
		;;
	*)
		verdict deployment_target_type C20 contradicts "the target ${ids[0]} of deployment $id is of type \"$out\", neither LambdaTarget nor CloudFormationTarget"
		;;
	esac
}

check_smoke_hook_denies_latest() {
	local arn out latest bare version
	if ! arn=$(awscli lambda get-function-configuration --function-name "$FUNCTION" --query FunctionArn --output text 2>&1); then
		verdict smoke_hook_denies_latest L18 inconclusive "get-function-configuration failed: $arn"
		return
	fi
	# IAM's own evaluation of the role's policies, the same as for a real call (read-only).
	if ! out=$(awscli iam simulate-principal-policy --policy-source-arn "$SMOKE_ROLE" --action-names lambda:InvokeFunction \
		--resource-arns "$arn:\$LATEST" "$arn" "$arn:1" --output text \
		--query 'EvaluationResults[].[EvalResourceName, EvalDecision]' 2>&1); then
		verdict smoke_hook_denies_latest L18 inconclusive "simulate-principal-policy failed: $out"
		return
	fi
	latest=$(awk -v r="$arn:\$LATEST" '$1 == r {print $2}' <<<"$out")
	bare=$(awk -v r="$arn" '$1 == r {print $2}' <<<"$out")
	version=$(awk -v r="$arn:1" '$1 == r {print $2}' <<<"$out")
	if [[ "$version" != allowed ]]; then
		verdict smoke_hook_denies_latest L18 inconclusive "the role may not invoke $FUNCTION:1 ($version): is it the smoke hook of this function's stack?"
	elif [[ "$latest" == allowed || "$bare" == allowed ]]; then
		verdict smoke_hook_denies_latest L18 contradicts "the role may invoke $FUNCTION:\$LATEST ($latest) or $FUNCTION unqualified ($bare)"
	else
		verdict smoke_hook_denies_latest L18 agrees "the role may invoke $FUNCTION:1, not $FUNCTION:\$LATEST ($latest) nor $FUNCTION unqualified ($bare)"
	fi
}

for c in "${CHECKS[@]}"; do
	case "$c" in
	invocations_alias) check_invocations_alias ;;
	invocations_executed_version) check_invocations_executed_version ;;
	throttles_executed_version) check_throttles_executed_version ;;
	getdeployment_content_absent) check_getdeployment_content_absent ;;
	application_revision_appspec) check_application_revision_appspec ;;
	deployment_target_type) check_deployment_target_type ;;
	smoke_hook_denies_latest) check_smoke_hook_denies_latest ;;
	esac
done
exit "$CONTRADICTED"
