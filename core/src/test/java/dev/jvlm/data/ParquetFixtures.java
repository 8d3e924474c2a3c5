package dev.jvlm.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import javax.imageio.ImageIO;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes parquet files laid out as Hugging Face {@code datasets} stores the seed datasets (the schema
 * pyarrow writes for an {@code Image()} feature: a struct of {@code bytes} and {@code path}; lists as
 * {@code LIST} groups of {@code list.element}).
 */
public final class ParquetFixtures {
    private ParquetFixtures() {
    }

    /** naver-clova-ix/cord-v2: image, ground_truth (JSON string). */
    static final MessageType CORD = MessageTypeParser.parseMessageType("""
            message schema {
              optional group image { optional binary bytes; optional binary path (STRING); }
              optional binary ground_truth (STRING);
            }""");

    /** rdr-items: image, text. */
    static final MessageType CAPTIONS = MessageTypeParser.parseMessageType("""
            message schema {
              optional group image { optional binary bytes; optional binary path (STRING); }
              optional binary text (STRING);
            }""");

    /** HuggingFaceH4/llava-instruct-mix-vsft: messages (content parts with index/text/type), images. */
    static final MessageType CONVERSATIONS = MessageTypeParser.parseMessageType("""
            message schema {
              optional group messages (LIST) {
                repeated group list {
                  optional group element {
                    optional group content (LIST) {
                      repeated group list {
                        optional group element {
                          optional int64 index;
                          optional binary text (STRING);
                          optional binary type (STRING);
                        }
                      }
                    }
                    optional binary role (STRING);
                  }
                }
              }
              optional group images (LIST) {
                repeated group list {
                  optional group element { optional binary bytes; optional binary path (STRING); }
                }
              }
            }""");

    /** A VQA-style benchmark table: question, answer, image (struct of bytes and path). */
    static final MessageType VQA = MessageTypeParser.parseMessageType("""
            message schema {
              optional binary question (STRING);
              optional binary answer (STRING);
              optional group image { optional binary bytes; optional binary path (STRING); }
            }""");

    /** Writes a VQA table of (question, answer) rows, each with a small PNG; for other packages' tests. */
    public static Path writeVqa(Path file, List<String[]> rows) {
        return write(file, VQA, rows, (row, g) -> {
            g.append("question", row[0]);
            g.append("answer", row[1]);
            image(g, "image", png(8, 6), "img.png");
        });
    }

    /** Writes rows with Snappy pages; {@code fill} sets one row's fields. */
    static <T> Path write(Path file, MessageType schema, List<T> rows, BiConsumer<T, Group> fill) {
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                .withCodecFactory(new PureJavaCodecs()).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            SimpleGroupFactory groups = new SimpleGroupFactory(schema);
            for (T row : rows) {
                Group g = groups.newGroup();
                fill.accept(row, g);
                writer.write(g);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Sets an image struct field to PNG bytes (and the original file name, as datasets keeps it). */
    static void image(Group parent, String field, byte[] png, String path) {
        Group image = parent.addGroup(field);
        if (png != null) {
            image.append("bytes", Binary.fromConstantByteArray(png));
        }
        if (path != null) {
            image.append("path", path);
        }
    }

    /** A width x height PNG with a colour gradient. */
    static byte[] png(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x40);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
