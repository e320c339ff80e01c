package hook

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/golive-dev/golive/internal/hooksettings"
)

// bake waits, then judges the new version's own metrics (ExecutedVersion) from the
// deployment's start to now: CodeDeploy stops watching alarms once traffic is shifted,
// and Lambda's metrics reach CloudWatch minutes late, so the end of a canary and all of
// an AllAtOnce deployment are only judged here.
func (h *Handler) bake(ctx context.Context, rel release, b hooksettings.Bake) error {
	if err := h.sleep(ctx, time.Duration(b.Minutes)*time.Minute); err != nil {
		return fmt.Errorf("bake interrupted after less than %d minutes: %w", b.Minutes, context.Cause(ctx))
	}
	end := h.now()
	start := rel.created
	if start.IsZero() || !start.Before(end) {
		start = end.Add(-time.Duration(b.Minutes) * time.Minute)
	}
	// One period spanning the window: sums over it are the window's, and its p99 is the
	// p99 of every request, not the worst minute's. CloudWatch keeps minute data for 15
	// days, 5-minute data for 63, and returns nothing for a period that does not match
	// the start's age (CloudWatch API Reference, MetricStat: Period): a custom shift
	// of long intervals can start that far back.
	step := time.Minute
	switch age := end.Sub(start); {
	case age > 63*24*time.Hour:
		step = time.Hour
	case age > 15*24*time.Hour:
		step = 5 * time.Minute
	}
	start = start.Truncate(step)
	period := int32(math.Ceil(float64(end.Sub(start))/float64(step))) * int32(step/time.Second)
	dims := []cwtypes.Dimension{
		{Name: aws.String("FunctionName"), Value: aws.String(rel.function)},
		// The AppSpec's alias, which check held to the group's configured one.
		{Name: aws.String("Resource"), Value: aws.String(rel.function + ":" + rel.alias)},
		{Name: aws.String("ExecutedVersion"), Value: aws.String(rel.target)},
	}
	query := func(id, metric, stat string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(metric), Dimensions: dims},
			Period: aws.Int32(period), Stat: aws.String(stat),
		}}
	}
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(start.Add(time.Duration(period) * time.Second)),
		MetricDataQueries: []cwtypes.MetricDataQuery{query("invocations", "Invocations", "Sum"), query("errors", "Errors", "Sum")},
	}
	if b.P99DurationMs != nil {
		in.MetricDataQueries = append(in.MetricDataQueries, query("p99", "Duration", "p99"))
	}
	sum, worst := map[string]float64{}, map[string]float64{}
	for p := cloudwatch.NewGetMetricDataPaginator(h.CloudWatch, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("read metrics of %s:%s: %w", rel.function, rel.target, err)
		}
		for _, r := range page.MetricDataResults {
			id := aws.ToString(r.Id)
			for _, v := range r.Values {
				sum[id] += v
				worst[id] = max(worst[id], v)
			}
		}
	}
	window := fmt.Sprintf("from %s to %s", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	inv := sum["invocations"]
	if inv < float64(b.MinInvocations) || inv == 0 {
		return fmt.Errorf("too few requests to judge %s:%s: %g invocations %s; want at least %d (min_invocations): an unused version has not been proven",
			rel.function, rel.target, inv, window, max(b.MinInvocations, 1))
	}
	var problems []string
	if t := b.ErrorRatePercent; t != nil {
		if rate := 100 * sum["errors"] / inv; rate > *t {
			problems = append(problems, fmt.Sprintf("error rate %.2f%% (%g errors of %g invocations) above %g%%", rate, sum["errors"], inv, *t))
		}
	}
	if t := b.P99DurationMs; t != nil && worst["p99"] > *t {
		problems = append(problems, fmt.Sprintf("p99 duration %.0f ms above %g ms", worst["p99"], *t))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s:%s %s: %s", rel.function, rel.target, window, strings.Join(problems, "; "))
	}
	return nil
}
