package config

import (
	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// fnResolution is one merged function of one env being resolved: what the checks across its
// fields share. Every problem is reported at the env's path, where an override would fix it,
// with the place a merged value was written when that is elsewhere (origin).
type fnResolution struct {
	p  *parser
	e  *envSpec
	s  *fnSpec
	at string
	fn Function
	// pinKnown is false when live_version itself was invalid (already reported): the checks
	// that depend on the pin stay quiet.
	pinKnown, pinned bool
	dep              deploymentFacts
}

// resolve applies defaults to one merged function and checks the rules that span fields.
func (p *parser) resolve(project field[string], e *envSpec, name string, s *fnSpec) Function {
	r := &fnResolution{p: p, e: e, s: s, at: join(join(e.path, "lambda_functions"), name)}
	r.fn = Function{
		Name:         name,
		Architecture: s.architecture.or(DefaultArchitecture),
		MemoryMB:     int(s.memoryMB.or(DefaultMemoryMB)),
		TimeoutS:     int(s.timeoutS.or(DefaultTimeoutS)),
		Description:  s.description.or(""),
		Alias:        s.alias.or(resourcenames.DefaultAlias),
	}
	r.pinKnown, r.pinned = s.liveVersion.st != invalid, s.liveVersion.st == set
	if r.pinned {
		r.fn.LiveVersion = s.liveVersion.v
	}
	r.code()
	r.functionName(project)
	r.environment()
	r.deployment()
	r.rollout()
	r.split()
	r.rolledBack()
	r.provisioned()
	r.imageByDigest()
	return r.fn
}

// sub is the path of a field of the function.
func (r *fnResolution) sub(keys ...string) string {
	path := r.at
	for _, k := range keys {
		path = join(path, k)
	}
	return path
}

// code takes exactly one of entry and image.
func (r *fnResolution) code() {
	s := r.s
	switch {
	case s.entry.st == invalid || s.image.st == invalid:
	case s.entry.st == set && s.image.st == set:
		r.p.add(r.at, "got both entry%s and image%s; want exactly one: set the other to null in this env to switch",
			origin(s.entry.path, r.sub("entry")), origin(s.image.path, r.sub("image")))
	case s.entry.st == set:
		r.fn.Entry = s.entry.v
	case s.image.st == set:
		r.fn.Image = r.p.resolveImage(s.image.v, r.sub("image"))
	default:
		r.p.add(r.at, "missing entry and image; want exactly one: entry (%s) or image (a container image by digest)", wantEntry)
	}
}

// functionName defaults the physical name to {project}-{env}-{function}, which must still
// be a name Lambda takes.
func (r *fnResolution) functionName(project field[string]) {
	switch r.s.functionName.st {
	case set:
		r.fn.FunctionName = r.s.functionName.v
	case invalid:
	default:
		if project.st == set {
			def := project.v + "-" + r.e.name + "-" + r.fn.Name
			if len(def) > 64 {
				r.p.add(r.sub("function_name"), "missing, and the default name %s is %d characters; want function_name set to %s, since Lambda allows 64",
					quote(def), len(def), wantFunctionName)
			}
			r.fn.FunctionName = def
		}
	}
}

// environment merges the variables (null removes a shared one) and checks their total size.
func (r *fnResolution) environment() {
	if r.s.environment.st != set {
		return
	}
	for k, v := range r.s.environment.v {
		if v.st != set {
			continue
		}
		if r.fn.Environment == nil {
			r.fn.Environment = map[string]string{}
		}
		r.fn.Environment[k] = v.v
	}
	if size := lambdarules.EnvironmentBytes(r.fn.Environment); size > lambdarules.MaxEnvironmentBytes {
		r.p.add(r.sub("environment"), "got %d bytes of names and values; want %s", size, lambdarules.EnvironmentSize.Allowed)
	}
}

// rollout defaults to canary where CodeDeploy moves the pinned alias, else direct.
func (r *fnResolution) rollout() {
	ro := r.s.rollout
	if ro.st == invalid || !r.pinKnown {
		return
	}
	here := r.sub("rollout")
	switch {
	case !r.pinned:
		if ro.st == set {
			r.p.add(here, "got %s; want no rollout while live_version is null: rollout only applies to a pinned live_version", ro.raw)
		}
	case ro.st == set:
		r.fn.Rollout = Rollout(ro.v)
		if r.fn.Rollout == RolloutCanary && r.dep.none {
			r.p.add(here, "got %s; want \"direct\" or no rollout: deployment.type is %s, so no CodeDeploy canary moves the alias",
				ro.raw, r.dep.typeDesc)
		}
	case r.dep.none:
		r.fn.Rollout = RolloutDirect
	default:
		r.fn.Rollout = RolloutCanary
	}
}

// split is additional_versions: a second version for a pinned alias without CodeDeploy.
func (r *fnResolution) split() {
	av := r.s.additional
	if av.st != set || av.v == nil || !r.pinKnown {
		return
	}
	here := r.sub("additional_versions")
	if !r.pinned {
		r.p.add(here, "got %s; want {} or no additional_versions while live_version is null: a weighted split needs a pinned live_version", av.raw)
		return
	}
	if av.v.Version == r.fn.LiveVersion {
		r.p.add(join(here, av.v.Version), "got version %s, the live_version itself; want another published version, or {} for no split",
			quote(av.v.Version))
	}
	if r.dep.typeKnown && !r.dep.none {
		r.p.add(here, "got %s while deployment.type is %s; want deployment.type set to \"None\" for this function in this env: an alias left split makes CodeDeploy deployments fail",
			av.raw, r.dep.typeDesc)
	}
	w := *av.v
	r.fn.Additional = &w
}

// rolledBack is the version golive rollback moved a pinned LIVE away from.
func (r *fnResolution) rolledBack() {
	rb := r.s.rolledBack
	if rb.st != set || !r.pinKnown {
		return
	}
	here := r.sub("rolled_back")
	switch {
	case !r.pinned:
		r.p.add(here, "got %s; want no rolled_back while live_version is null: it records the version golive rollback moved a pinned LIVE away from", rb.raw)
	case rb.v == r.fn.LiveVersion:
		r.p.add(here, "got %s, the live_version itself; want the version rollback moved LIVE away from, or no rolled_back", rb.raw)
	default:
		r.fn.RolledBack = rb.v
	}
}

// provisioned needs a published version and an alias on one version.
func (r *fnResolution) provisioned() {
	pc := r.s.provisioned
	if pc.st != set {
		return
	}
	here := r.sub("provisioned_concurrency")
	switch {
	case r.pinned && pc.v > 0 && r.s.additional.st == set && r.s.additional.v != nil:
		r.p.add(here, "got %s%s with additional_versions %s; want 0 or no provisioned_concurrency while the alias is split: Lambda does not manage provisioned concurrency on an alias that routes to two versions",
			pc.raw, origin(pc.path, here), r.s.additional.raw)
		r.fn.ProvisionedConcurrency = int(pc.v)
	case r.pinKnown && !r.pinned && pc.v > 0:
		r.p.add(here, "got %s%s; want 0 or no provisioned_concurrency while live_version is null: provisioned concurrency needs a published version, so a pinned live_version",
			pc.raw, origin(pc.path, here))
	case r.pinned:
		r.fn.ProvisionedConcurrency = int(pc.v)
	}
}

// imageByDigest refuses a mutable tag where LIVE is pinned.
func (r *fnResolution) imageByDigest() {
	if !r.pinned || r.fn.Image == nil || r.fn.Image.Tag == "" {
		return
	}
	tag := r.s.image.v.tag
	here := r.sub("image", "tag")
	r.p.add(here, "got %s%s; want a digest (%s) where live_version is pinned: pin images by digest, since a tag can move to an image nobody tested",
		tag.raw, origin(tag.path, here), wantDigest)
}

func (p *parser) resolveImage(s *imageSpec, here string) *Image {
	img := &Image{}
	switch s.repository.st {
	case set:
		img.Repository = s.repository.v
	case invalid:
	default:
		p.missing(join(here, "repository"), wantRepository)
	}
	d, t := s.digest, s.tag
	switch {
	case d.st == invalid || t.st == invalid:
	case d.st == set && t.st == set:
		p.add(here, "got both digest%s and tag%s; want exactly one: set the other to null in this env",
			origin(d.path, join(here, "digest")), origin(t.path, join(here, "tag")))
	case d.st == set:
		img.Digest = d.v
	case t.st == set:
		img.Tag = t.v
	default:
		p.add(here, "missing digest and tag; want exactly one: digest (%s) or, where live_version is null, tag", wantDigest)
	}
	return img
}
