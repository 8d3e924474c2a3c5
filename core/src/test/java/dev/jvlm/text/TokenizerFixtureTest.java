package dev.jvlm.text;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Every string of the reference set against every reference tokenizer: ids with and without
 * special tokens, token strings, and every decode variant, as Hugging Face tokenizers 0.23.2 and
 * transformers produce them.
 */
class TokenizerFixtureTest {

    @TestFactory
    Stream<DynamicContainer> everyReferenceString() {
        return TextFixtures.TOKENIZERS.stream().map(name -> {
            List<DynamicTest> tests = new ArrayList<>();
            for (JsonNode entry : TextFixtures.expected(name).get("encode")) {
                tests.add(DynamicTest.dynamicTest(entry.get("id").asText(), () -> check(name, entry)));
            }
            return DynamicContainer.dynamicContainer(name, tests);
        });
    }

    private static void check(String name, JsonNode entry) {
        Tokenizer tokenizer = TextFixtures.tokenizer(name);
        String text = entry.get("text").asText();
        int[] ids = TextFixtures.ints(entry.get("ids"));
        int[] idsWithSpecial = TextFixtures.ints(entry.get("ids_with_special"));
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertArrayEquals(ids, tokenizer.encode(text, false), "ids"));
        checks.add(() -> assertArrayEquals(idsWithSpecial, tokenizer.encode(text, true), "ids_with_special"));
        checks.add(() -> {
            List<String> tokens = new ArrayList<>();
            for (int id : ids) {
                tokens.add(tokenizer.token(id));
            }
            List<String> expected = new ArrayList<>();
            entry.get("tokens").forEach(t -> expected.add(t.asText()));
            assertEquals(expected, tokens, "tokens");
        });
        checks.add(() -> assertEquals(entry.get("decode").asText(), tokenizer.decode(ids, false, false), "decode"));
        checks.add(() -> assertEquals(entry.get("decode_with_special").asText(),
                tokenizer.decode(idsWithSpecial, false, false), "decode_with_special"));
        checks.add(() -> assertEquals(entry.get("decode_with_special_skip").asText(),
                tokenizer.decode(idsWithSpecial, true, false), "decode_with_special_skip"));
        if (entry.has("decode_with_special_skip_cleanup")) {
            checks.add(() -> assertEquals(entry.get("decode_with_special_skip_cleanup").asText(),
                    tokenizer.decode(idsWithSpecial, true), "decode_with_special_skip_cleanup"));
        } else {
            // Without clean_up_tokenization_spaces in the config, transformers' decode is the raw decoder output.
            checks.add(() -> assertEquals(entry.get("decode_with_special_skip").asText(),
                    tokenizer.decode(idsWithSpecial, true), "decode() without cleanup configured"));
        }
        checks.add(() -> assertEquals(entry.get("roundtrip").asBoolean(), text.equals(tokenizer.decode(ids, false, false)),
                "roundtrip"));
        assertAll(text, checks.stream());
    }
}
