/* A run: every check in order, results into the report. */
#include "bounds.h"
#include "certfile.h"
#include "check.h"
#include "config.h"
#include "result.h"

int
cp_report_config_errors(struct cp_report *rep, const struct cp_config *cfg)
{
	struct cp_result *r;
	size_t i;

	for (i = 0; i < cfg->ndiags; i++) {
		const struct cp_diag *d = &cfg->diags[i];

		if ((r = cp_report_new(rep, NULL, d->origin ? d->origin :
		    "configuration")) == NULL ||
		    cp_result_fail(r, CP_FAIL_CONFIG, "%s", d->msg) == -1)
			return -1;
		cp_report_settle(rep, r, CP_UNKNOWN);
	}
	return 0;
}

int
cp_run(const struct cp_config *cfg, const struct cp_run_params *params,
    struct cp_report *rep)
{
	struct cp_endpoints *eps = NULL;
	struct cp_run_ctx ctx;
	size_t i;
	int rc = -1;

	ctx.params = params;
	ctx.rep = rep;
	if ((ctx.loader = cp_loader_new(CP_FILE_MAX)) == NULL ||
	    (eps = cp_endpoints_check(cfg, params)) == NULL)
		goto out;
	for (i = 0; i < cfg->nchecks; i++) {
		const struct cp_check *c = &cfg->checks[i];

		if (params->only != NULL && !params->only[i])
			continue;
		if ((cp_target_is_file(&c->target) ? cp_check_files(c, &ctx) :
		    cp_endpoints_report(eps, c, rep)) == -1)
			goto out;
	}
	rc = 0;
out:
	cp_endpoints_free(eps);
	cp_loader_free(ctx.loader);
	return rc;
}
