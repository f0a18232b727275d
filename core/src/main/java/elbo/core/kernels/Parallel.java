package elbo.core.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The small fixed thread pool the kernels split large operations over.
 *
 * <p>Threads only decide <em>who</em> runs a task, not <em>what</em> any output element is computed
 * from or in which order: a reduction is cut into blocks by the problem alone, and where a kernel cuts
 * by the thread count (the Adam update one chunk per thread, the GEMM's row blocks a whole number per
 * thread) each element's chain of operations is the same in every cut. So every kernel gives bitwise
 * the same result with 1, 2 or 8 threads.
 *
 * <p>The calling thread runs tasks too, helped by {@code threads() - 1} daemon workers. Workers spin
 * for a few microseconds after a job (back-to-back kernels are common in a training step) and then
 * park. A job submitted while the pool is busy (another thread's job, or a task that itself calls a
 * kernel) runs on the caller alone, with the same partition. Running a job allocates nothing.
 *
 * <p>The thread count comes from the system property {@value #PROPERTY} (default: the number of
 * available processors) and can be changed with {@link #setThreads(int)}.
 */
public final class Parallel {
    /** System property with the number of threads (caller included), e.g. {@code -Delbo.threads=2}. */
    public static final String PROPERTY = "elbo.threads";

    /** Work cut into tasks {@code 0 .. tasks-1}; tasks of one job must not depend on each other. */
    @FunctionalInterface
    public interface Job {
        /** Runs task number {@code task}. */
        void run(int task);
    }

    private static volatile Pool pool = new Pool(initialThreads());

    private Parallel() {
    }

    /** Number of threads that run a job, the caller included (at least 1). */
    public static int threads() {
        return pool.threads;
    }

    /**
     * Sets the number of threads (caller included); the old workers finish their job and exit.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (threads == pool.threads) {
            return;
        }
        Pool old = pool;
        pool = new Pool(threads);
        old.shutdown();
    }

    /**
     * Runs {@code job.run(t)} for every {@code t < tasks} and returns when all are done. An exception
     * thrown by a task is rethrown here (the first one, after every task has finished).
     */
    public static void run(int tasks, Job job) {
        if (tasks <= 0) {
            return;
        }
        Pool p = pool;
        if (tasks == 1 || p.threads == 1 || !p.busy.compareAndSet(false, true)) {
            for (int t = 0; t < tasks; t++) {
                job.run(t);
            }
            return;
        }
        try {
            p.execute(tasks, job);
        } finally {
            p.busy.set(false);
        }
    }

    private static int initialThreads() {
        String s = System.getProperty(PROPERTY);
        if (s == null || s.isBlank()) {
            return Math.max(1, Runtime.getRuntime().availableProcessors());
        }
        try {
            int t = Integer.parseInt(s.trim());
            if (t < 1) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + s + ": must be >= 1");
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + s + ": not an integer", e);
        }
    }

    /**
     * One generation of workers. A job is announced through {@code ticket}, which packs the job's
     * sequence number, its task count and the next unclaimed task: a worker claims a task with one
     * compare-and-set, so a late worker can never claim a task of a job it did not see announced.
     */
    private static final class Pool {
        private static final long SPIN_NANOS = 50_000;
        private static final int TASK_BITS = 20;
        private static final long TASK_MASK = (1L << TASK_BITS) - 1;

        final int threads;
        final AtomicBoolean busy = new AtomicBoolean();
        private final Thread[] workers;
        private final AtomicLong ticket = new AtomicLong();
        private final AtomicInteger done = new AtomicInteger();
        private volatile int sequence;
        private volatile boolean stopped;
        private volatile Job job;
        private volatile Throwable failure;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Thread[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                Thread t = new Thread(this::workLoop, "elbo-kernel-" + (i + 1));
                t.setDaemon(true);
                workers[i] = t;
                t.start();
            }
        }

        void execute(int tasks, Job j) {
            if (tasks > TASK_MASK) {
                throw new IllegalArgumentException("too many tasks: " + tasks);
            }
            int seq = (sequence + 1) & 0xFFFFFF;
            job = j;
            failure = null;
            done.set(0);
            ticket.set(((long) seq << (2 * TASK_BITS)) | ((long) tasks << TASK_BITS));
            sequence = seq;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            runTasks(seq);
            while (done.get() < tasks) {
                Thread.onSpinWait();
            }
            job = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(f);
            }
        }

        /** Claims and runs tasks of job {@code seq} until none is left. */
        private void runTasks(int seq) {
            while (true) {
                long v = ticket.get();
                int next = (int) (v & TASK_MASK);
                int tasks = (int) ((v >>> TASK_BITS) & TASK_MASK);
                if ((int) (v >>> (2 * TASK_BITS)) != seq || next >= tasks) {
                    return;
                }
                if (!ticket.compareAndSet(v, v + 1)) {
                    continue;
                }
                try {
                    job.run(next); // the job cannot change while one of its tasks is unfinished
                } catch (Throwable e) {
                    if (failure == null) {
                        failure = e;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        private void workLoop() {
            int seen = sequence;
            while (true) {
                long start = System.nanoTime();
                int s;
                while ((s = sequence) == seen && !stopped && System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                }
                while ((s = sequence) == seen && !stopped) {
                    LockSupport.park(this);
                }
                if (stopped) {
                    return;
                }
                seen = s;
                runTasks(s);
            }
        }

        void shutdown() {
            stopped = true;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
        }
    }
}
