// Drives the playground page in headless Chromium: drop an image, send a message, watch the reply
// stream in, start a new chat. Prints one JSON object for PlaygroundBrowserTest to check.
// Usage: node playground-test.mjs URL IMAGE.png CHROMIUM
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const [url, imagePath, executablePath] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('pageerror', e => consoleErrors.push(String(e)));
  await page.goto(url);
  const model = await page.textContent('#model');

  // A real drop event carrying the file, as a user's drag from the desktop delivers it.
  await page.evaluate(b64 => {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'picture.png', { type: 'image/png' }));
    document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, readFileSync(imagePath).toString('base64'));
  await page.waitForSelector('#thumbs img');

  await page.fill('#max_tokens', '6');
  await page.fill('#prompt', 'What is in the picture?');
  // Count the updates of the reply as they arrive: a streamed reply grows in several steps.
  await page.evaluate(() => {
    window.replyUpdates = 0;
    new MutationObserver(() => window.replyUpdates++).observe(document.getElementById('messages'),
      { subtree: true, characterData: true, childList: true });
  });
  await page.click('#send');
  await page.waitForFunction(() => document.querySelector('.message.assistant') && !document.getElementById('send').disabled,
    null, { timeout: 60000 });
  const reply = await page.evaluate(() => ({
    text: document.querySelector('.message.assistant').textContent,
    error: document.querySelector('.message.error')?.textContent ?? null,
    userImages: document.querySelectorAll('.message.user img').length,
    updates: window.replyUpdates,
  }));

  await page.click('#new-chat');
  const messagesAfterNewChat = await page.evaluate(() => document.querySelectorAll('.message').length);
  console.log(JSON.stringify({ model, ...reply, messagesAfterNewChat, consoleErrors }));
} finally {
  await browser.close();
}
