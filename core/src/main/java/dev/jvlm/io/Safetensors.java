package dev.jvlm.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping tensor names
 * to dtype, shape and data offsets, then the raw little-endian data. Files are memory-mapped and
 * tensors are views of the mapping; the header is validated before anything is handed out.
 */
public final class Safetensors {
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private Safetensors() {
    }

    /** An opened (mapped) safetensors file. Tensors stay valid while they are reachable. */
    public record File(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new JvlmException(path + ": no tensor named \"" + name + "\"");
            }
            return t;
        }
    }

    /** Maps and validates a safetensors file. */
    public static File open(Path path) {
        long size;
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            size = ch.size();
            if (size < 8) {
                throw new JvlmException(path + ": not a safetensors file (" + size + " bytes, expected at least 8)");
            }
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
        } catch (NoSuchFileException e) {
            throw new JvlmException(path + ": file not found");
        } catch (IOException e) {
            throw new JvlmException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
        long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            throw new JvlmException(path + ": corrupt safetensors header length " + headerLen + " (file has "
                    + size + " bytes); the file may be truncated or not a safetensors file");
        }
        byte[] headerBytes = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = Json.parse(new String(headerBytes, StandardCharsets.UTF_8), path + " (safetensors header)");
        } catch (JvlmException e) {
            throw new JvlmException(e.getMessage() + "; the file may be truncated or corrupt");
        }
        if (!header.isObject()) {
            throw new JvlmException(path + ": safetensors header is not a JSON object");
        }
        MemorySegment data = all.asSlice(8 + headerLen);
        return new File(path, Collections.unmodifiableMap(parseHeader(path, header, data)), metadata(path, header));
    }

    private static Map<String, String> metadata(Path path, JsonNode header) {
        Map<String, String> meta = new LinkedHashMap<>();
        JsonNode m = header.get("__metadata__");
        if (m != null) {
            if (!m.isObject()) {
                throw new JvlmException(path + ": __metadata__ is not an object of strings");
            }
            m.properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
        }
        return Collections.unmodifiableMap(meta);
    }

    private record Entry(String name, long begin, long end) {
    }

    private static Map<String, Tensor> parseHeader(Path path, JsonNode header, MemorySegment data) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        long dataSize = data.byteSize();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode info = e.getValue();
            String where = path + ": tensor \"" + name + "\"";
            DType dtype = DType.fromSafetensors(info.path("dtype").asText(""));
            if (dtype == null) {
                throw new JvlmException(where + ": dtype " + info.path("dtype") + " is not supported (expected F32, BF16, F16, F64, I64, I32, I16, I8, U8 or BOOL)");
            }
            JsonNode shapeNode = info.get("shape");
            if (shapeNode == null || !shapeNode.isArray()) {
                throw new JvlmException(where + ": missing shape array");
            }
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToInt() || d.asInt() < 0) {
                    throw new JvlmException(where + ": shape " + shapeNode + " has an invalid dimension");
                }
                shape[i] = d.asInt();
            }
            JsonNode off = info.get("data_offsets");
            if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
                throw new JvlmException(where + ": data_offsets must be [begin, end]");
            }
            long begin = off.get(0).asLong();
            long end = off.get(1).asLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw new JvlmException(where + ": data_offsets [" + begin + ", " + end + "] lie outside the "
                        + dataSize + " data bytes; the file may be truncated");
            }
            long expected = numel(shape) * dtype.byteSize();
            if (end - begin != expected) {
                throw new JvlmException(where + ": data_offsets hold " + (end - begin) + " bytes but " + dtype
                        + Arrays.toString(shape) + " needs " + expected);
            }
            entries.add(new Entry(name, begin, end));
            tensors.put(name, Tensor.view(dtype, shape, data.asSlice(begin, end - begin)));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < entries.size(); i++) {
            Entry prev = entries.get(i - 1);
            Entry cur = entries.get(i);
            if (cur.begin < prev.end) {
                throw new JvlmException(path + ": tensors \"" + prev.name + "\" and \"" + cur.name + "\" overlap in the data");
            }
        }
        return tensors;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Writes tensors (in the given order, each in its own dtype) and string metadata. The file appears
     * only when complete: data goes to a temporary file in the same folder that is then moved in place.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = t.numel() * t.dtype().byteSize();
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", t.dtype().safetensorsName());
            var shape = info.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + path.getFileName(), ".partial");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer lengthPrefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
                writeFully(ch, lengthPrefix);
                writeFully(ch, ByteBuffer.wrap(headerBytes));
                ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
                for (Tensor t : tensors.values()) {
                    // Heap and mapped storage are both little-endian bytes on the platforms jvlm runs on.
                    MemorySegment src = t.segment();
                    for (long pos = 0, n = src.byteSize(); pos < n; ) {
                        int len = (int) Math.min(chunk.capacity(), n - pos);
                        MemorySegment.copy(src, pos, chunkSegment, 0, len);
                        chunk.clear().limit(len);
                        writeFully(ch, chunk);
                        pos += len;
                    }
                }
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new JvlmException(path + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary name never looks like a finished file
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
