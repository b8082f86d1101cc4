# pg_clickstream: PGXS build.  `make`, `make install`, `make installcheck`,
# `make test` (everything, from scratch) and `make demo` (the quick start).

EXTENSION = pg_clickstream
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")

MODULE_big = pg_clickstream
OBJS = \
	src/pg_clickstream.o \
	src/guc.o \
	src/objstore/objstore.o \
	src/objstore/sigv4.o \
	src/objstore/http.o \
	src/objstore/s3.o \
	src/objstore/secrets.o \
	src/objstore/file.o \
	src/objstore/fetch.o \
	src/objstore/functions.o \
	src/manifest/manifest_parse.o \
	src/manifest/manifest.o \
	src/formats/decompress_core.o \
	src/formats/decompress_pipe.o \
	src/formats/decompress.o \
	src/loader/options.o \
	src/loader/convert.o \
	src/loader/insert.o \
	src/loader/textsource.o \
	src/loader/loader.o \
	src/formats/csv.o \
	src/formats/jsonl.o \
	src/formats/jsonl_scan.o \
	src/parquet/assemble.o \
	src/parquet/codec.o \
	src/parquet/column.o \
	src/parquet/convert.o \
	src/parquet/encoding_delta.o \
	src/parquet/encoding_dict.o \
	src/parquet/encoding_plain.o \
	src/parquet/encoding_rle.o \
	src/parquet/footer.o \
	src/parquet/memory.o \
	src/parquet/page.o \
	src/parquet/rowgroup.o \
	src/parquet/schema.o \
	src/parquet/thrift_compact.o \
	src/parquet_pg.o \
	src/parquet_sql.o \
	src/worker/worker.o \
	src/worker/queue.o \
	src/worker/modeler.o

# The install script is built from one file per object, in dependency order.
SQL_SOURCES = \
	src/sql/schema.sql \
	src/sql/secrets.sql \
	src/sql/objstore.sql \
	src/sql/loader.sql \
	src/sql/parquet.sql \
	src/sql/ods.sql \
	src/sql/queue.sql \
	src/sql/worker.sql \
	src/sql/model_log.sql \
	src/sql/model_metadata.sql \
	src/sql/model_reporting.sql \
	src/sql/model_summary.sql \
	src/sql/model_views.sql \
	src/sql/model_segments.sql \
	src/sql/model_refresh.sql \
	src/sql/model.sql

DATA_built = $(EXTENSION)--$(EXTVERSION).sql

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)

PG_CPPFLAGS = -I$(srcdir)/src $(shell pkg-config --cflags libcurl jansson libzstd zlib liblz4 libbrotlidec libxml-2.0)
SHLIB_LINK = $(shell pkg-config --libs libcurl jansson libzstd zlib liblz4 libbrotlidec libxml-2.0) -lsnappy -lcrypto

EXTRA_CLEAN = $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when a header
# changes, or a stale object reads a struct with an old layout.
$(OBJS): $(wildcard src/*.h src/*/*.h)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES)
	cat $^ > $@

.PHONY: test demo bench
test:
	bash test/run

demo:
	bash test/demo/run

bench:
	bash bench/run
