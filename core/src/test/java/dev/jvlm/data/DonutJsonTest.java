package dev.jvlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.io.Json;
import org.junit.jupiter.api.Test;

class DonutJsonTest {

    private static JsonNode json(String s) {
        return Json.parse(s, "test");
    }

    @Test
    void json2tokenSortsKeysInReverseAndSeparatesListItems() {
        JsonNode receipt = json("""
                {"menu": [{"nm": "Tea", "cnt": "1", "price": "3"}, {"nm": "Cake", "price": "5"}],
                 "sub_total": {"subtotal_price": "8"}, "total": {"total_price": "8", "cashprice": "10"}}""");
        assertEquals("<s_total><s_total_price>8</s_total_price><s_cashprice>10</s_cashprice></s_total>"
                + "<s_sub_total><s_subtotal_price>8</s_subtotal_price></s_sub_total>"
                + "<s_menu><s_price>3</s_price><s_nm>Tea</s_nm><s_cnt>1</s_cnt><sep/><s_price>5</s_price><s_nm>Cake</s_nm></s_menu>",
                DonutJson.json2token(receipt, true));
        assertEquals("<s_menu><s_nm>Tea</s_nm><s_price>3</s_price></s_menu><s_b>x</s_b>",
                DonutJson.json2token(json("{\"menu\": {\"nm\": \"Tea\", \"price\": \"3\"}, \"b\": \"x\"}"), false), "file order unsorted");
    }

    @Test
    void json2tokenWritesScalarsAsPythonStrAndUnwrapsTextSequence() {
        assertEquals("<s_n>3</s_n><s_f>0.5</s_f><s_e>1e-05</s_e><s_b>True</s_b><s_a>None</s_a>",
                DonutJson.json2token(json("{\"n\": 3, \"f\": 0.5, \"e\": 0.00001, \"b\": true, \"a\": null}"), true));
        assertEquals("just text", DonutJson.json2token(json("{\"text_sequence\": \"just text\"}"), true));
        assertEquals("a<sep/>b", DonutJson.json2token(json("[\"a\", \"b\"]"), true));
        assertEquals("1e+16", DonutJson.pythonFloat(1e16));
        assertEquals("123456789012345.0", DonutJson.pythonFloat(123456789012345.0));
        assertEquals("-0.0001", DonutJson.pythonFloat(-0.0001));
    }

    @Test
    void json2tokenOrdersKeysByCodePointAsPythonDoes() {
        // U+FF5E sorts after U+1F600 in UTF-16 units but before it by code point.
        assertEquals("<s_\uD83D\uDE00>a</s_\uD83D\uDE00><s_\uFF5E>b</s_\uFF5E>",
                DonutJson.json2token(json("{\"\uFF5E\": \"b\", \"\uD83D\uDE00\": \"a\"}"), true));
    }

    @Test
    void token2jsonInvertsJson2token() {
        JsonNode receipt = json("""
                {"total": {"total_price": "8"}, "menu": [{"price": "3", "nm": "Tea"}, {"price": "5", "nm": "Cake"}],
                 "tags": ["a", "b"]}""");
        String tokens = DonutJson.json2token(receipt, false);
        assertEquals(receipt, DonutJson.token2json(tokens));
        assertEquals(json("{\"text_sequence\": \"plain answer\"}"), DonutJson.token2json("plain answer"));
    }

    @Test
    void token2jsonRejectsMalformedSequences() {
        assertEquals("expected </s_a> at character 17",
                assertThrows(IllegalArgumentException.class, () -> DonutJson.token2json("<s_a><s_b>x</s_b></s_c>")).getMessage());
        assertEquals("no </s_a> after character 5",
                assertThrows(IllegalArgumentException.class, () -> DonutJson.token2json("<s_a>open")).getMessage());
        assertEquals("unexpected text at character 12: tail",
                assertThrows(IllegalArgumentException.class, () -> DonutJson.token2json("<s_a>x</s_a>tail")).getMessage());
    }
}
