package dev.jvlm.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

class ParquetSmokeTest {
    @Test
    void smoke() throws Exception {
        MessageType schema = MessageTypeParser.parseMessageType("""
                message schema {
                  optional group image { optional binary bytes; optional binary path (STRING); }
                  optional binary text (STRING);
                  optional group images (LIST) { repeated group list { optional group element { optional binary bytes; optional binary path (STRING); } } }
                }""");
        Path file = Files.createTempDirectory("pq").resolve("t.parquet");
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                .withCodecFactory(new PureJavaCodecs()).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            SimpleGroupFactory f = new SimpleGroupFactory(schema);
            Group g = f.newGroup();
            g.addGroup("image").append("bytes", Binary.fromConstantByteArray(new byte[] {1, 2, 3})).append("path", "a.png");
            g.append("text", "hello");
            Group list = g.addGroup("images");
            list.addGroup("list").addGroup("element").append("path", "b.png");
            list.addGroup("list").addGroup("element").append("path", "c.png");
            w.write(g);
        }
        System.out.println(ParquetRows.read(file));
    }
}
