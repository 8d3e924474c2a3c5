package dev.jvlm.bench;

import dev.jvlm.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's own limits in the running process, so that benchmark numbers can be stated
 * as fractions of them: the FMA peak (independent FMA chains, no memory traffic) and the read
 * bandwidth (a streaming sum over an array far larger than the caches), both on every pool thread.
 */
public final class Probes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    private Probes() {
    }

    /**
     * Peak float32 GFLOP/s of FMAs over all threads: twelve independent accumulators fed from a small
     * L1-resident array. (Chains on loop-invariant operands run at half this rate under C2, so they
     * would understate the peak.)
     */
    public static double fmaPeakGflops() {
        int threads = Parallel.threads();
        int l = F.length();
        float[] src = new float[64 * 2 * l];
        java.util.Arrays.fill(src, 1e-3f);
        for (int i = 0; i < 3000; i++) {
            sink += fmaBlock(src, 10);
        }
        int reps = 100_000;
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            Parallel.forEach(threads, t -> sink += fmaBlock(src, reps));
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, threads * (double) reps * 64 * 12 * 2 * l / s / 1e9);
        }
        return best;
    }

    private static float fmaBlock(float[] src, int reps) {
        int l = F.length();
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int r = 0; r < reps; r++) {
            for (int p = 0; p < src.length; p += 2 * l) {
                FloatVector b0 = FloatVector.fromArray(F, src, p);
                FloatVector b1 = FloatVector.fromArray(F, src, p + l);
                c0 = b0.fma(b1, c0);
                c1 = b1.fma(b0, c1);
                c2 = b0.fma(b0, c2);
                c3 = b1.fma(b1, c3);
                c4 = b0.fma(b1, c4);
                c5 = b1.fma(b0, c5);
                c6 = b0.fma(b0, c6);
                c7 = b1.fma(b1, c7);
                c8 = b0.fma(b1, c8);
                c9 = b1.fma(b0, c9);
                c10 = b0.fma(b0, c10);
                c11 = b1.fma(b1, c11);
            }
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    /**
     * Read bandwidth in GB/s streaming a 1 GiB file mapped the way checkpoints are (page-cache pages,
     * read through a memory segment), over all threads: the best of four passes. This is the ceiling
     * for decoding, which streams mapped weights.
     */
    public static double mappedReadBandwidthGBs() throws java.io.IOException {
        try (MappedFile file = MappedFile.create()) {
            double best = 0;
            for (int pass = 0; pass < 4; pass++) {
                best = Math.max(best, file.readGBs(0));
            }
            return best;
        }
    }

    /**
     * The 1 GiB file of {@link #mappedReadBandwidthGBs()}, written, mapped and faulted in once, so that
     * bandwidth windows can alternate with the runs they bound. Deleted on close.
     */
    public static final class MappedFile implements AutoCloseable {
        private static final long SIZE = 1L << 30;
        private final java.nio.file.Path path;
        private final java.lang.foreign.Arena arena;
        private final java.lang.foreign.MemorySegment segment;

        private MappedFile(java.nio.file.Path path, java.lang.foreign.Arena arena, java.lang.foreign.MemorySegment segment) {
            this.path = path;
            this.arena = arena;
            this.segment = segment;
        }

        public static MappedFile create() throws java.io.IOException {
            java.nio.file.Path path = java.nio.file.Files.createTempFile("jvlm-probe", ".bin");
            java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
            try {
                try (var ch = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.WRITE)) {
                    java.nio.ByteBuffer block = java.nio.ByteBuffer.allocateDirect(1 << 24);
                    for (long pos = 0; pos < SIZE; pos += block.capacity()) {
                        block.clear();
                        while (block.hasRemaining()) {
                            ch.write(block, pos + block.position());
                        }
                    }
                    // On disk before anything is timed: otherwise the kernel writes the dirty pages back
                    // about 30 s later, on the cores the benchmark is using.
                    ch.force(false);
                }
                java.lang.foreign.MemorySegment segment;
                try (var ch = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ)) {
                    segment = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, SIZE, arena);
                }
                // The first pass faults the pages in; only warm passes are measured.
                readPass(segment);
                return new MappedFile(path, arena, segment);
            } catch (java.io.IOException | RuntimeException e) {
                arena.close();
                java.nio.file.Files.deleteIfExists(path);
                throw e;
            }
        }

        /** GB/s over whole passes lasting at least {@code seconds} together (one pass for 0). */
        public double readGBs(double seconds) {
            long t0 = System.nanoTime();
            long bytes = 0;
            do {
                readPass(segment);
                bytes += SIZE;
            } while (System.nanoTime() - t0 < seconds * 1e9);
            return bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }

        @Override
        public void close() throws java.io.IOException {
            arena.close();
            java.nio.file.Files.deleteIfExists(path);
        }
    }

    /** One streaming sum over the whole segment, in 16 chunks per thread. */
    private static void readPass(java.lang.foreign.MemorySegment seg) {
        int chunks = Parallel.threads() * 16;
        long chunk = seg.byteSize() / chunks;
        int l = F.length();
        float[] partial = new float[chunks];
        Parallel.forEach(chunks, c -> {
            // Four independent sums: the adds never wait on each other, so only memory limits the loop.
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
            for (long b = c * chunk, end = (c + 1) * chunk; b < end; b += 16L * l) {
                acc0 = acc0.add(FloatVector.fromMemorySegment(F, seg, b, java.nio.ByteOrder.LITTLE_ENDIAN));
                acc1 = acc1.add(FloatVector.fromMemorySegment(F, seg, b + 4L * l, java.nio.ByteOrder.LITTLE_ENDIAN));
                acc2 = acc2.add(FloatVector.fromMemorySegment(F, seg, b + 8L * l, java.nio.ByteOrder.LITTLE_ENDIAN));
                acc3 = acc3.add(FloatVector.fromMemorySegment(F, seg, b + 12L * l, java.nio.ByteOrder.LITTLE_ENDIAN));
            }
            partial[c] = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        });
        sink += partial[0];
    }

    /** Read bandwidth in GB/s (10^9 bytes) streaming a 1 GiB heap array over all threads. */
    public static double readBandwidthGBs() {
        float[] data = new float[1 << 28];
        java.util.Arrays.fill(data, 1f);
        int threads = Parallel.threads();
        int chunks = threads * 16;
        int chunk = data.length / chunks;
        double best = 0;
        for (int rep = 0; rep < 4; rep++) {
            long t0 = System.nanoTime();
            float[] partial = new float[chunks];
            Parallel.forEach(chunks, c -> {
                FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
                FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
                int end = (c + 1) * chunk;
                for (int i = c * chunk; i < end; i += 4 * F.length()) {
                    acc0 = acc0.add(FloatVector.fromArray(F, data, i));
                    acc1 = acc1.add(FloatVector.fromArray(F, data, i + F.length()));
                    acc2 = acc2.add(FloatVector.fromArray(F, data, i + 2 * F.length()));
                    acc3 = acc3.add(FloatVector.fromArray(F, data, i + 3 * F.length()));
                }
                partial[c] = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
            });
            double s = (System.nanoTime() - t0) / 1e9;
            sink += partial[0];
            best = Math.max(best, data.length * 4.0 / s / 1e9);
        }
        return best;
    }
}
