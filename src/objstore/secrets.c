/*-------------------------------------------------------------------------
 *
 * secrets.c
 *	  S3 credentials stored the PostgreSQL way, and their lookup.
 *
 * A "secret" is a foreign server of the wrapper clickstream_s3 holding the
 * non-secret settings (endpoint, region, url_style, scope) plus a user
 * mapping holding key_id, secret and session_token.  PostgreSQL's own
 * privileges then hide the mapping's options from every other role
 * (pg_user_mappings shows them only to the mapping's user with USAGE on
 * the server, and to the server's owner).
 *
 * For an s3:// URL the secret whose scope is the longest prefix of the URL
 * wins (no scope matches every s3:// URL, as the shortest); only servers
 * the current user may use and that have a mapping for the user (or
 * PUBLIC) count.  Without one, the server process's standard AWS_*
 * environment variables are used, else the request goes unsigned.
 *
 * No secret value is ever written into a message: errors name options and
 * servers only.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/secrets.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/syscache.h"

#include "pg_clickstream.h"
#include "objstore/objstore_int.h"

#define CLICKSTREAM_FDW "clickstream_s3"

PG_FUNCTION_INFO_V1(pg_clickstream_s3_validator);
PG_FUNCTION_INFO_V1(pg_clickstream_secret_user_mapping);

/* option names per catalog */
static const char *const server_options[] = {"endpoint", "region", "url_style", "scope", NULL};
static const char *const mapping_options[] = {"key_id", "secret", "session_token", NULL};

static bool
in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

static const char *
joined(const char *const *list)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (; *list; list++)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", *list);
	return buf.data;
}

/*
 * check_server_option
 *		Validate one server option's value (values here are not secret).
 */
static void
check_server_option(DefElem *def)
{
	char	   *v = defGetString(def);

	if (strcmp(def->defname, "endpoint") == 0 &&
		pg_strncasecmp(v, "http://", 7) != 0 &&
		pg_strncasecmp(v, "https://", 8) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("invalid endpoint \"%s\"", v),
				 errhint("An endpoint is a URL such as https://s3.eu-west-3.amazonaws.com or http://127.0.0.1:7480.")));
	if (strcmp(def->defname, "url_style") == 0 &&
		strcmp(v, "path") != 0 && strcmp(v, "vhost") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid url_style \"%s\"", v),
				 errhint("Use \"path\" (https://endpoint/bucket/key) or \"vhost\" (https://bucket.endpoint/key).")));
	if (strcmp(def->defname, "scope") == 0 && strncmp(v, "s3://", 5) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid scope \"%s\"", v),
				 errhint("A scope is a URL prefix such as s3://bucket/ or s3://bucket/path/.")));
	if (strcmp(def->defname, "region") == 0 && v[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("region must not be empty")));
}

/*
 * pg_clickstream_s3_validator
 *		The wrapper's validator: known options only, in the right place,
 *		each at most once.  Mapping option values are never quoted.
 */
Datum
pg_clickstream_s3_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	const char *const *allowed;
	const char *const none[] = {NULL};
	ListCell   *lc;
	List	   *seen = NIL;

	if (catalog == ForeignServerRelationId)
		allowed = server_options;
	else if (catalog == UserMappingRelationId)
		allowed = mapping_options;
	else
		allowed = none;

	foreach(lc, options)
	{
		DefElem    *def = lfirst(lc);

		if (!in_list(def->defname, allowed))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 allowed[0] ? errhint("Valid options in this context are: %s.",
										  joined(allowed))
					 : errhint("There are no valid options in this context.")));
		if (list_member(seen, makeString(def->defname)))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" given more than once", def->defname)));
		seen = lappend(seen, makeString(def->defname));
		if (catalog == ForeignServerRelationId)
			check_server_option(def);
		else if (defGetString(def)[0] == '\0' &&
				 strcmp(def->defname, "session_token") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("option \"%s\" must not be empty", def->defname)));
	}
	PG_RETURN_VOID();
}

/*
 * pg_clickstream_secret_user_mapping
 *		CREATE USER MAPPING FOR CURRENT_USER SERVER name OPTIONS (key_id,
 *		secret[, session_token]), built as a parse tree rather than SQL text
 *		so the secret can never show up in a statement quoted by an error
 *		context or a log line.  Called by create_secret().
 */
Datum
pg_clickstream_secret_user_mapping(PG_FUNCTION_ARGS)
{
	CreateUserMappingStmt *stmt = makeNode(CreateUserMappingStmt);
	RoleSpec   *role = makeNode(RoleSpec);
	List	   *options = NIL;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("name, key_id and secret must not be null")));
	role->roletype = ROLESPEC_CURRENT_USER;
	role->location = -1;
	options = lappend(options, makeDefElem("key_id",
										   (Node *) makeString(text_to_cstring(PG_GETARG_TEXT_PP(1))), -1));
	options = lappend(options, makeDefElem("secret",
										   (Node *) makeString(text_to_cstring(PG_GETARG_TEXT_PP(2))), -1));
	if (!PG_ARGISNULL(3))
		options = lappend(options, makeDefElem("session_token",
											   (Node *) makeString(text_to_cstring(PG_GETARG_TEXT_PP(3))), -1));
	stmt->user = role;
	stmt->servername = text_to_cstring(PG_GETARG_TEXT_PP(0));
	stmt->if_not_exists = false;
	stmt->options = options;
	CreateUserMapping(stmt);
	PG_RETURN_VOID();
}

/* the value of option name in a DefElem list, or NULL */
static char *
option_value(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

/* does the user (or PUBLIC) have a mapping for the server? */
static bool
has_mapping(Oid userid, Oid serverid)
{
	return SearchSysCacheExists2(USERMAPPINGUSERSERVER,
								 ObjectIdGetDatum(userid),
								 ObjectIdGetDatum(serverid)) ||
		SearchSysCacheExists2(USERMAPPINGUSERSERVER,
							  ObjectIdGetDatum(InvalidOid),
							  ObjectIdGetDatum(serverid));
}

/*
 * find_secret
 *		The server of the wrapper that applies to url for the current user,
 *		or NULL: longest matching scope, ties broken by server name.
 */
static ForeignServer *
find_secret(const char *url)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapperByName(CLICKSTREAM_FDW, true);
	Oid			userid = GetUserId();
	ForeignServer *best = NULL;
	int			best_len = -1;
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;

	if (fdw == NULL)
		return NULL;

	rel = table_open(ForeignServerRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_foreign_server_srvfdw, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(fdw->fdwid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_foreign_server form = (Form_pg_foreign_server) GETSTRUCT(tup);
		ForeignServer *server;
		char	   *scope;
		int			len;

		if (pg_foreign_server_aclcheck(form->oid, userid, ACL_USAGE) != ACLCHECK_OK ||
			!has_mapping(userid, form->oid))
			continue;
		server = GetForeignServer(form->oid);
		scope = option_value(server->options, "scope");
		if (scope != NULL && strncmp(url, scope, strlen(scope)) != 0)
			continue;
		len = scope ? (int) strlen(scope) : 0;
		if (len > best_len ||
			(len == best_len && strcmp(server->servername, best->servername) < 0))
		{
			best = server;
			best_len = len;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return best;
}

/* a non-empty environment variable, palloc'd, or NULL */
static char *
env(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? pstrdup(v) : NULL;
}

/* can the bucket be a DNS label for virtual-hosted addressing? */
static bool
dns_compatible(const char *url)
{
	const char *p;

	for (p = url + 5; *p && *p != '/'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

/*
 * S3ResolveConfig
 *		Fill cfg (palloc'd strings) for an s3:// URL: endpoint, region,
 *		addressing and credentials, from the best secret, else from the
 *		AWS_* environment of the server, else anonymous.
 */
void
S3ResolveConfig(const char *url, S3Config *cfg)
{
	ForeignServer *server = find_secret(url);
	char	   *url_style = NULL;
	char	   *endpoint = NULL;
	size_t		n;

	memset(cfg, 0, sizeof(S3Config));
	if (server != NULL)
	{
		UserMapping *um = GetUserMapping(GetUserId(), server->serverid);

		endpoint = option_value(server->options, "endpoint");
		cfg->region = option_value(server->options, "region");
		url_style = option_value(server->options, "url_style");
		cfg->key_id = option_value(um->options, "key_id");
		cfg->secret = option_value(um->options, "secret");
		cfg->session_token = option_value(um->options, "session_token");
		if (cfg->session_token && cfg->session_token[0] == '\0')
			cfg->session_token = NULL;
		cfg->source = psprintf("secret \"%s\"", server->servername);
	}
	else if ((cfg->key_id = env("AWS_ACCESS_KEY_ID")) != NULL &&
			 (cfg->secret = env("AWS_SECRET_ACCESS_KEY")) != NULL)
	{
		cfg->session_token = env("AWS_SESSION_TOKEN");
		cfg->source = pstrdup("the AWS_* environment variables of the server");
	}
	else
	{
		cfg->key_id = cfg->secret = NULL;
		cfg->source = pstrdup("anonymous access: no secret applies to this URL; create one with clickstream.create_secret()");
	}

	/* settings a secret leaves out come from the environment, then GUCs */
	if (endpoint == NULL)
		endpoint = env("AWS_ENDPOINT_URL_S3");
	if (endpoint == NULL)
		endpoint = env("AWS_ENDPOINT_URL");
	if (cfg->region == NULL)
		cfg->region = env("AWS_REGION");
	if (cfg->region == NULL)
		cfg->region = env("AWS_DEFAULT_REGION");
	if (cfg->region == NULL)
		cfg->region = pstrdup(clickstream_s3_default_region);

	if (endpoint != NULL)
	{
		cfg->endpoint = pstrdup(endpoint);
		/* custom endpoints (MinIO, Ceph, ...) mostly want path style */
		cfg->path_style = true;
	}
	else
	{
		cfg->endpoint = psprintf("https://s3.%s.amazonaws.com", cfg->region);
		cfg->path_style = !dns_compatible(url);
	}
	n = strlen(cfg->endpoint);
	while (n > 0 && cfg->endpoint[n - 1] == '/')
		cfg->endpoint[--n] = '\0';
	if (url_style != NULL)
		cfg->path_style = strcmp(url_style, "path") == 0;
}
