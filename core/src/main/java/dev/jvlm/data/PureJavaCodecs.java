package dev.jvlm.data;

import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet page compression without native code: Snappy, Zstandard and LZ4 (raw blocks, parquet's
 * LZ4_RAW) from aircompressor,
 * gzip from the JDK. parquet-java's own codecs load JNI libraries (snappy-java, zstd-jni), which this
 * project keeps off its classpath.
 */
final class PureJavaCodecs implements CompressionCodecFactory {

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> new Block(codec, null, null);
            case SNAPPY -> new Block(codec, SnappyCompressor::new, null);
            case ZSTD -> new Block(codec, ZstdCompressor::new, null);
            case LZ4_RAW -> new Block(codec, Lz4Compressor::new, null);
            case GZIP -> new Gzip();
            default -> throw unsupported(codec);
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> new Block(codec, null, null);
            case SNAPPY -> new Block(codec, null, SnappyDecompressor::new);
            case ZSTD -> new Block(codec, null, ZstdDecompressor::new);
            case LZ4_RAW -> new Block(codec, null, Lz4Decompressor::new);
            case GZIP -> new Gzip();
            default -> throw unsupported(codec);
        };
    }

    @Override
    public void release() {
        // Codecs hold no native resources.
    }

    private static byte[] bytesOf(BytesInput bytes) throws IOException {
        return bytes.toInputStream().readAllBytes();
    }

    private static UnsupportedOperationException unsupported(CompressionCodecName codec) {
        return new UnsupportedOperationException("parquet compression " + codec + " is not supported; "
                + "supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW (rewrite the file with one of them)");
    }

    /** A block codec: one compressed buffer per page. */
    private record Block(CompressionCodecName codec, Supplier<Compressor> compressors, Supplier<Decompressor> decompressors)
            implements BytesInputCompressor, BytesInputDecompressor {

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            if (compressors == null) {
                return bytes;
            }
            byte[] input = bytesOf(bytes);
            Compressor compressor = compressors.get();
            byte[] output = new byte[compressor.maxCompressedLength(input.length)];
            int n = compressor.compress(input, 0, input.length, output, 0, output.length);
            return BytesInput.from(output, 0, n);
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
            if (decompressors == null) {
                return bytes;
            }
            byte[] input = bytesOf(bytes);
            byte[] output = new byte[decompressedSize];
            int n = decompressors.get().decompress(input, 0, input.length, output, 0, decompressedSize);
            if (n != decompressedSize) {
                throw new IOException(codec + " page decompressed to " + n + " bytes, the page header says " + decompressedSize);
            }
            return BytesInput.from(output);
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize) throws IOException {
            byte[] in = new byte[compressedSize];
            input.get(in);
            output.put(bytesOf(decompress(BytesInput.from(in), decompressedSize)));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return codec;
        }

        @Override
        public void release() {
            // Nothing pooled.
        }
    }

    /** Gzip pages are whole gzip streams (header and trailer included), as Hadoop's GzipCodec writes them. */
    private static final class Gzip implements BytesInputCompressor, BytesInputDecompressor {

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                bytes.writeAllTo(gzip);
            }
            return BytesInput.from(out.toByteArray());
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytesOf(bytes)))) {
                byte[] output = in.readNBytes(decompressedSize);
                if (output.length != decompressedSize) {
                    throw new IOException("GZIP page decompressed to " + output.length + " bytes, the page header says "
                            + decompressedSize);
                }
                return BytesInput.from(output);
            }
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize) throws IOException {
            byte[] in = new byte[compressedSize];
            input.get(in);
            output.put(bytesOf(decompress(BytesInput.from(in), decompressedSize)));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.GZIP;
        }

        @Override
        public void release() {
            // Nothing pooled.
        }
    }
}
