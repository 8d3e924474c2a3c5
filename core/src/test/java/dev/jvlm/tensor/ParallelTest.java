package dev.jvlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void rangesCoverEveryIndexOnceForAnyTotalChunkAndThreadCount() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3, 5}) {
                Parallel.setThreads(threads);
                for (int total : new int[] {0, 1, 3, 4, 7, 64, 577, 5184}) {
                    for (int chunk : new int[] {1, 4, 28, 1000}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(total, 1));
                        Parallel.forEachRange(total, chunk, 4, (from, to) -> {
                            assertTrue(from < to && to - from <= chunk, "range [" + from + ", " + to + ") of chunk " + chunk);
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < total; i++) {
                            assertEquals(1, hits.get(i), "index " + i + " of " + total + ", chunk " + chunk + ", threads " + threads);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aThreadThatFinishesItsRangeTakesOverTheRestOfAStalledOneInLongAscendingRuns() throws InterruptedException {
        int before = Parallel.threads();
        Thread caller = Thread.currentThread();
        List<int[]> byCaller = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger stalledFront = new AtomicInteger(-1);
        AtomicInteger takenOver = new AtomicInteger();
        CountDownLatch workerStarted = new CountDownLatch(1);
        CountDownLatch restTaken = new CountDownLatch(1);
        try {
            Parallel.setThreads(2);
            // The worker stalls in its first chunk until the caller has done the other 190 indices of the
            // worker's range, which it can only reach by taking them over.
            Parallel.forEachRange(400, 10, 4, (from, to) -> {
                try {
                    if (Thread.currentThread() != caller) {
                        if (stalledFront.compareAndSet(-1, from)) {
                            workerStarted.countDown();
                            assertTrue(restTaken.await(30, TimeUnit.SECONDS), "the caller did not take over the stalled range");
                        }
                        return;
                    }
                    assertTrue(workerStarted.await(30, TimeUnit.SECONDS), "the pool worker never started");
                    byCaller.add(new int[] {from, to});
                    int front = stalledFront.get();
                    if (from >= front && from < front + 200 && takenOver.addAndGet(to - from) == 190) {
                        restTaken.countDown();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            Parallel.setThreads(before);
        }
        int front = stalledFront.get();
        assertTrue(front == 0 || front == 200, "the worker started at its range's front, not at " + front);
        assertEquals(190, takenOver.get());
        // The caller's own range front to back.
        int expected = 200 - front;
        int i = 0;
        for (; i < 20; i++) {
            assertEquals(expected, byCaller.get(i)[0], "the caller's own chunk " + i);
            expected = byCaller.get(i)[1];
        }
        // Then the stalled range's other 190 indices in ascending runs, one per halving.
        int runs = 0;
        boolean[] seen = new boolean[400];
        for (int previousEnd = -1; i < byCaller.size(); i++) {
            int[] r = byCaller.get(i);
            assertTrue(r[0] >= front + 10 && r[1] <= front + 200, "[" + r[0] + ", " + r[1] + ") is in the stalled range after its first chunk");
            for (int j = r[0]; j < r[1]; j++) {
                assertTrue(!seen[j], "index " + j + " once");
                seen[j] = true;
            }
            if (r[0] != previousEnd) {
                runs++;
            }
            previousEnd = r[1];
        }
        assertTrue(runs >= 2 && runs <= 6, runs + " runs");
    }
}
