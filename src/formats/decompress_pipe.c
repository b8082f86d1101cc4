/*-------------------------------------------------------------------------
 *
 * decompress_pipe.c
 *	  Decompression on a second thread (see decompress_pipe.h).
 *
 * Two rings under one mutex.  Input: the reading thread fills free slots
 * from the source, the decoder thread drains them through the DcStream's
 * source callback.  Output: the decoder thread fills free slots with
 * DcRead, the reading thread copies them out.  Neither thread touches a
 * slot the other owns, so the copies run outside the mutex; a condition
 * variable (broadcast) wakes whoever waits.  The DcStream's status and
 * error offset belong to the decoder thread until it is done (p->done,
 * read under the mutex), then to the caller.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/decompress_pipe.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/decompress_pipe.h"

struct DcPipe
{
	DcStream   *core;			/* decoded by the thread */
	DcSourceFn	src;			/* the real source: reading thread only */
	void	   *src_arg;
	int64_t		consumed;		/* bytes read from the real source */

	pthread_t	thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool		stop;			/* the reader gave up: thread must exit */
	bool		done;			/* the thread finished (EOF or error) */

	char	   *in[DCP_IN_SLOTS];
	size_t		in_len[DCP_IN_SLOTS];
	int			in_head;		/* next slot the decoder drains */
	int			in_count;		/* filled slots from in_head on */
	size_t		in_off;			/* bytes of in[in_head] drained */
	bool		in_eof;			/* the real source returned 0 */

	char	   *out[DCP_OUT_SLOTS];
	size_t		out_len[DCP_OUT_SLOTS];
	int			out_head;		/* next slot the reader copies */
	int			out_count;		/* decoded slots from out_head on */
	size_t		out_off;		/* bytes of out[out_head] copied */
};

static void *decoder_main(void *arg);
static size_t pipe_source(void *arg, char *buf, size_t len);
static void free_pipe(DcPipe *p);

/*
 * DcPipeStart
 *		Move decoding of core (already DcStart'ed) to a new thread; the
 *		core's source becomes the pipe.  NULL when no thread or memory is
 *		to be had: the caller then keeps decoding in its own thread.
 */
DcPipe *
DcPipeStart(DcStream *core)
{
	DcPipe	   *p = calloc(1, sizeof(DcPipe));
	sigset_t	all,
				old;
	int			i,
				rc;

	if (p == NULL)
		return NULL;
	for (i = 0; i < DCP_IN_SLOTS; i++)
		if ((p->in[i] = malloc(DCP_IN_SIZE)) == NULL)
			goto fail;
	for (i = 0; i < DCP_OUT_SLOTS; i++)
		if ((p->out[i] = malloc(DCP_OUT_SIZE)) == NULL)
			goto fail;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&p->cv, NULL) != 0)
	{
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	p->core = core;
	p->src = core->src;
	p->src_arg = core->src_arg;
	p->consumed = core->consumed;
	core->src = pipe_source;
	core->src_arg = p;

	/* the backend's signal handlers must run on the backend's thread only */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&p->thread, NULL, decoder_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
	{
		core->src = p->src;
		core->src_arg = p->src_arg;
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	return p;

fail:
	free_pipe(p);
	return NULL;
}

/*
 * DcPipeRead
 *		Copy up to len decoded bytes into buf; 0 only when the decoder is
 *		done (EOF, or an error in p's core->status).  Reads the source and
 *		calls wait() in the calling thread; either may longjmp, after which
 *		the caller must DcPipeStop.
 */
size_t
DcPipeRead(DcPipe *p, char *buf, size_t len, DcWaitFn wait)
{
	size_t		got = 0;

	while (got < len)
	{
		pthread_mutex_lock(&p->mu);

		/* keep the decoder's input topped up (the source may ereport) */
		if (!p->in_eof && p->in_count < DCP_IN_SLOTS)
		{
			int			slot = (p->in_head + p->in_count) % DCP_IN_SLOTS;
			size_t		n;

			pthread_mutex_unlock(&p->mu);
			n = p->src(p->src_arg, p->in[slot], DCP_IN_SIZE);
			pthread_mutex_lock(&p->mu);
			if (n == 0)
				p->in_eof = true;
			else
			{
				p->in_len[slot] = n;
				p->in_count++;
				p->consumed += (int64_t) n;
			}
			pthread_cond_broadcast(&p->cv);
		}

		if (p->out_count > 0)
		{
			int			slot = p->out_head;
			size_t		take = p->out_len[slot] - p->out_off;

			pthread_mutex_unlock(&p->mu);
			if (take > len - got)
				take = len - got;
			memcpy(buf + got, p->out[slot] + p->out_off, take);
			got += take;
			p->out_off += take;
			if (p->out_off == p->out_len[slot])
			{
				pthread_mutex_lock(&p->mu);
				p->out_head = (p->out_head + 1) % DCP_OUT_SLOTS;
				p->out_count--;
				p->out_off = 0;
				pthread_cond_broadcast(&p->cv);
				pthread_mutex_unlock(&p->mu);
			}
			continue;
		}
		if (got > 0 || p->done)
		{
			/* short counts are fine; wait only when there is nothing */
			pthread_mutex_unlock(&p->mu);
			break;
		}
		if (!p->in_eof && p->in_count < DCP_IN_SLOTS)
		{
			/* more input to read before waiting */
			pthread_mutex_unlock(&p->mu);
			continue;
		}
		else
		{
			struct timespec until;

			/* the decoder is busy: nap, but answer interrupts often */
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 20 * 1000 * 1000;
			if (until.tv_nsec >= 1000000000L)
			{
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&p->cv, &p->mu, &until);
			pthread_mutex_unlock(&p->mu);
			if (wait)
				wait();
		}
	}
	return got;
}

/* Bytes read from the real source so far. */
int64_t
DcPipeConsumed(DcPipe *p)
{
	return p->consumed;
}

/*
 * DcPipeStop
 *		Stop and join the decoder thread, free the pipe.  The core's source
 *		is restored; the core itself stays the caller's (DcEnd).
 */
void
DcPipeStop(DcPipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	p->core->src = p->src;
	p->core->src_arg = p->src_arg;
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free_pipe(p);
}

/* The decoder thread: fill free output slots until EOF, error or stop. */
static void *
decoder_main(void *arg)
{
	DcPipe	   *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;)
	{
		int			slot;
		size_t		n;

		while (p->out_count == DCP_OUT_SLOTS && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop)
			break;
		slot = (p->out_head + p->out_count) % DCP_OUT_SLOTS;
		pthread_mutex_unlock(&p->mu);
		n = DcRead(p->core, p->out[slot], DCP_OUT_SIZE);
		pthread_mutex_lock(&p->mu);
		if (n > 0 && !p->stop)
		{
			p->out_len[slot] = n;
			p->out_count++;
			pthread_cond_broadcast(&p->cv);
		}
		if (n == 0)
			break;
	}
	p->done = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* DcSourceFn of the core, on the decoder thread: drain the input ring. */
static size_t
pipe_source(void *arg, char *buf, size_t len)
{
	DcPipe	   *p = arg;
	int			slot;
	size_t		take;

	pthread_mutex_lock(&p->mu);
	while (p->in_count == 0 && !p->in_eof && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->stop || p->in_count == 0)
	{
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	slot = p->in_head;
	pthread_mutex_unlock(&p->mu);

	take = p->in_len[slot] - p->in_off;
	if (take > len)
		take = len;
	memcpy(buf, p->in[slot] + p->in_off, take);

	pthread_mutex_lock(&p->mu);
	p->in_off += take;
	if (p->in_off == p->in_len[slot])
	{
		p->in_head = (p->in_head + 1) % DCP_IN_SLOTS;
		p->in_count--;
		p->in_off = 0;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return take;
}

static void
free_pipe(DcPipe *p)
{
	int			i;

	for (i = 0; i < DCP_IN_SLOTS; i++)
		free(p->in[i]);
	for (i = 0; i < DCP_OUT_SLOTS; i++)
		free(p->out[i]);
	free(p);
}
