package dev.jvlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    private static final String CORD_GROUND_TRUTH = """
            {"gt_parse": {"menu": [{"nm": "Tea", "price": "3"}, {"nm": "Cake", "price": "5"}], "total": {"total_price": "8"}},
             "meta": {"version": "2.0.0"}, "valid_line": []}""";

    private static String text(Part p) {
        return ((Part.Text) p).text();
    }

    private DecodedImage decode(ImageSource source) throws Exception {
        return source.decode(new ImageLoader());
    }

    @Test
    void jsonlConversationsWithRelativePathsDataUrlsAndInlineImages() throws Exception {
        Files.createDirectories(dir.resolve("img"));
        Files.write(dir.resolve("img/a.png"), ParquetFixtures.png(4, 3));
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(ParquetFixtures.png(5, 2));
        Files.writeString(dir.resolve("train.jsonl"), String.join("\n",
                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image\"}, {\"type\": \"text\", \"text\": \"What?\"}]},"
                        + " {\"role\": \"assistant\", \"content\": [{\"type\": \"text\", \"text\": \"A.\"}]}], \"images\": [\"img/a.png\"]}",
                "",
                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image\", \"image\": \"" + dataUrl + "\"}]},"
                        + " {\"role\": \"assistant\", \"content\": \"B.\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}"));
        Dataset data = Datasets.read(dir.resolve("train.jsonl"));

        assertEquals(3, data.size());
        assertEquals(0, data.skipped().count());
        Sample first = data.samples().getFirst();
        assertEquals(dir.resolve("train.jsonl") + " line 1", first.origin());
        assertEquals(List.of(new Part.Image(), new Part.Text("What?")), first.messages().getFirst().parts());
        assertEquals(new ImageSource.File(dir.resolve("img/a.png")), first.images().getFirst());
        assertEquals(4, decode(first.images().getFirst()).width());
        Sample second = data.samples().get(1);
        assertEquals(dir.resolve("train.jsonl") + " line 3", second.origin(), "blank lines still count");
        assertTrue(second.messages().get(1).stringContent());
        assertEquals(5, decode(second.images().getFirst()).width());
        assertTrue(data.samples().get(2).images().isEmpty());
    }

    @Test
    void badJsonlRecordsAreSkippedWithFileLineAndField() throws Exception {
        Files.writeString(dir.resolve("train.jsonl"), String.join("\n",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": null}]}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image\"}]}], \"images\": [\"missing.png\"]}",
                "{not json",
                "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"video\"}]}]}",
                "[1, 2]"));
        Dataset data = Datasets.read(dir.resolve("train.jsonl"));
        String file = dir.resolve("train.jsonl").toString();

        assertEquals(1, data.size());
        assertEquals(5, data.skipped().count());
        List<String> reasons = data.skipped().firstReasons();
        assertTrue(reasons.getFirst().startsWith(file + " line 4: invalid JSON at column 2: Unexpected character ('n'"), reasons.getFirst());
        assertEquals(List.of(
                file + " line 6: expected a JSON object, found array",
                file + " line 2: messages[0].content[0].text: expected a string, found null",
                file + " line 3, images[0]: image file " + dir.resolve("missing.png") + " does not exist",
                file + " line 5: messages[0].content[0].type: unsupported part type \"video\" (supported: text, image)"),
                reasons.subList(1, reasons.size()));
        assertTrue(data.toString().endsWith("1 samples, skipped 5 samples: " + String.join("; ", data.skipped().firstReasons())));
    }

    @Test
    void unknownSchemaAndEmptyDatasetsAreErrors() throws Exception {
        Files.writeString(dir.resolve("a.jsonl"), "{\"question\": \"q\", \"answer\": \"a\"}\n");
        JvlmException schema = assertThrows(JvlmException.class, () -> Datasets.read(dir.resolve("a.jsonl")));
        assertTrue(schema.getMessage().startsWith(dir.resolve("a.jsonl") + " line 1: cannot tell the dataset schema from the fields "
                + "[question, answer]"), schema.getMessage());

        Files.writeString(dir.resolve("b.jsonl"), "{oops\n");
        JvlmException empty = assertThrows(JvlmException.class, () -> Datasets.read(dir.resolve("b.jsonl")));
        assertTrue(empty.getMessage().startsWith(dir.resolve("b.jsonl") + ": no usable sample in 0 records; skipped 1 sample: "),
                empty.getMessage());

        Files.writeString(dir.resolve("c.csv"), "a,b\n");
        assertEquals(dir.resolve("c.csv") + ": unknown dataset format; expected .jsonl, .json or .parquet, or a folder of images "
                + "with captions", assertThrows(JvlmException.class, () -> Datasets.read(dir.resolve("c.csv"))).getMessage());
        assertEquals(dir.resolve("nope") + ": no such file or folder",
                assertThrows(JvlmException.class, () -> Datasets.read(dir.resolve("nope"))).getMessage());
    }

    @Test
    void remoteImageUrlsAreRefusedNotFetched() throws Exception {
        Files.writeString(dir.resolve("a.jsonl"), "{\"image\": \"https://example.com/x.png\", \"text\": \"a cat\"}\n"
                + "{\"image\": \"data:image/png;base64," + Base64.getEncoder().encodeToString(ParquetFixtures.png(2, 2)) + "\", \"text\": \"dot\"}\n");
        Dataset data = Datasets.read(dir.resolve("a.jsonl"));
        assertEquals(1, data.size());
        assertEquals(dir.resolve("a.jsonl") + " line 1, image: https://example.com/x.png is a remote URL; jvlm does not download, "
                + "give a local path", data.skipped().firstReasons().getFirst());
    }

    @Test
    void imageFolderWithCaptionFiles() throws Exception {
        Files.write(dir.resolve("b.png"), ParquetFixtures.png(3, 3));
        Files.writeString(dir.resolve("b.txt"), "  A blue square.\n");
        Files.write(dir.resolve("a.jpg"), ParquetFixtures.png(3, 3));
        Files.writeString(dir.resolve("a.txt"), "Red.");
        Files.write(dir.resolve("c.png"), ParquetFixtures.png(3, 3));
        Files.writeString(dir.resolve("notes.md"), "not an image");
        Dataset data = Datasets.read(dir);

        assertEquals(2, data.size());
        Sample b = data.samples().get(1);
        assertEquals(dir.resolve("b.png").toString(), b.origin());
        assertEquals(List.of(new Part.Text("Describe accurately the given image."), new Part.Image()), b.messages().getFirst().parts());
        assertEquals("A blue square.", text(b.messages().get(1).parts().getFirst()));
        assertEquals(List.of(dir.resolve("c.png") + ": no caption file c.txt"), data.skipped().firstReasons());
    }

    @Test
    void parquetCordV2RowsBecomeDonutTokenTargets() throws Exception {
        byte[] png = ParquetFixtures.png(6, 4);
        Path file = ParquetFixtures.write(dir.resolve("train-00000-of-00001.parquet"), ParquetFixtures.CORD,
                List.of(CORD_GROUND_TRUTH, "{\"gt_parses\": [{\"a\": \"1\"}, {\"b\": \"2\"}]}", "{\"meta\": {}}", "not json"),
                (gt, row) -> {
                    ParquetFixtures.image(row, "image", png, "receipt.png");
                    row.append("ground_truth", gt);
                });
        Dataset data = Datasets.read(file);

        assertEquals(2, data.size());
        Sample receipt = data.samples().getFirst();
        assertEquals(file + " row 0", receipt.origin());
        assertEquals(List.of(new Part.Image(), new Part.Text("Extract JSON")), receipt.messages().getFirst().parts());
        assertEquals("<s_total><s_total_price>8</s_total_price></s_total><s_menu><s_price>3</s_price><s_nm>Tea</s_nm><sep/>"
                + "<s_price>5</s_price><s_nm>Cake</s_nm></s_menu>", text(receipt.messages().get(1).parts().getFirst()));
        ImageSource.Encoded image = assertInstanceOf(ImageSource.Encoded.class, receipt.images().getFirst());
        assertArrayEquals(png, image.data());
        assertEquals(file + " row 0, image", image.name());
        assertEquals(6, decode(image).width());
        assertEquals("<s_a>1</s_a>", text(data.samples().get(1).messages().get(1).parts().getFirst()), "the first of gt_parses");
        List<String> reasons = data.skipped().firstReasons();
        assertEquals(file + " row 2: ground_truth needs \"gt_parse\" (an object) or \"gt_parses\" (a list)", reasons.get(0));
        assertTrue(reasons.get(1).startsWith(file + " row 3, ground_truth: invalid JSON at line 1, column 4: Unrecognized token 'not'"),
                reasons.get(1));
    }

    @Test
    void parquetCaptionRowsTakeBytesOrFallBackToThePath() throws Exception {
        Files.write(dir.resolve("side.png"), ParquetFixtures.png(7, 2));
        Path file = ParquetFixtures.write(dir.resolve("rdr.parquet"), ParquetFixtures.CAPTIONS, List.of(0, 1, 2),
                (i, row) -> {
                    switch (i) {
                        case 0 -> ParquetFixtures.image(row, "image", ParquetFixtures.png(2, 5), null);
                        case 1 -> ParquetFixtures.image(row, "image", null, "side.png");
                        default -> ParquetFixtures.image(row, "image", null, null);
                    }
                    row.append("text", "item " + i);
                });
        Dataset data = Datasets.read(file);

        assertEquals(2, data.size());
        assertEquals(2, decode(data.samples().get(0).images().getFirst()).width());
        assertEquals(new ImageSource.File(dir.resolve("side.png")), data.samples().get(1).images().getFirst());
        assertEquals("item 1", text(data.samples().get(1).messages().get(1).parts().getFirst()));
        assertEquals(List.of(file + " row 2, image: the image struct has neither \"bytes\" nor \"path\""), data.skipped().firstReasons());
    }

    @Test
    void parquetLlavaInstructMixRowsKeepPartsAndImageLists() throws Exception {
        byte[] first = ParquetFixtures.png(3, 2);
        byte[] second = ParquetFixtures.png(2, 3);
        Path file = ParquetFixtures.write(dir.resolve("llava.parquet"), ParquetFixtures.CONVERSATIONS, List.of(0), (i, row) -> {
            Group messages = row.addGroup("messages");
            Group user = messages.addGroup("list").addGroup("element");
            Group content = user.addGroup("content");
            content.addGroup("list").addGroup("element").append("index", 0L).append("type", "image");
            content.addGroup("list").addGroup("element").append("text", "Compare them.").append("type", "text");
            content.addGroup("list").addGroup("element").append("index", 1L).append("type", "image");
            user.append("role", "user");
            Group assistant = messages.addGroup("list").addGroup("element");
            assistant.addGroup("content").addGroup("list").addGroup("element").append("text", "The first is wider.").append("type", "text");
            assistant.append("role", "assistant");
            Group images = row.addGroup("images");
            ParquetFixtures.image(images.addGroup("list"), "element", first, null);
            ParquetFixtures.image(images.addGroup("list"), "element", second, null);
        });
        Dataset data = Datasets.read(dir);

        assertEquals(1, data.size(), "a folder of parquet shards is read as one dataset");
        Sample s = data.samples().getFirst();
        assertEquals(List.of(new Part.Image(), new Part.Text("Compare them."), new Part.Image()), s.messages().getFirst().parts());
        assertEquals("assistant", s.messages().get(1).role());
        assertEquals(2, s.images().size());
        assertArrayEquals(second, ((ImageSource.Encoded) s.images().get(1)).data());
        assertEquals(file + " row 0, images[1]", ((ImageSource.Encoded) s.images().get(1)).name());
    }

    @Test
    void parquetRowsOfEveryCompressionCodecReadBack() throws Exception {
        for (var codec : List.of(org.apache.parquet.hadoop.metadata.CompressionCodecName.UNCOMPRESSED,
                org.apache.parquet.hadoop.metadata.CompressionCodecName.GZIP, org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD,
                org.apache.parquet.hadoop.metadata.CompressionCodecName.LZ4_RAW)) {
            Path file = dir.resolve(codec + ".parquet");
            try (var writer = org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(new org.apache.parquet.io.LocalOutputFile(file))
                    .withType(ParquetFixtures.CAPTIONS).withCodecFactory(new PureJavaCodecs()).withCompressionCodec(codec).build()) {
                Group g = new org.apache.parquet.example.data.simple.SimpleGroupFactory(ParquetFixtures.CAPTIONS).newGroup();
                ParquetFixtures.image(g, "image", ParquetFixtures.png(2, 2), null);
                g.append("text", "caption " + codec);
                writer.write(g);
            }
            Sample s = Datasets.read(file).samples().getFirst();
            assertEquals("caption " + codec, text(s.messages().get(1).parts().getFirst()), codec.toString());
        }
    }

    @Test
    void corruptParquetNamesTheFile() throws Exception {
        Files.writeString(dir.resolve("broken.parquet"), "PAR1 not really");
        JvlmException e = assertThrows(JvlmException.class, () -> Datasets.read(dir.resolve("broken.parquet")));
        assertTrue(e.getMessage().startsWith(dir.resolve("broken.parquet") + ": cannot read as parquet: "), e.getMessage());
    }
}
