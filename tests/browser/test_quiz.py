"""The check-your-understanding questions in the browser (``dlbook.quiz``, ``_ext/static/quiz``).

- Answered with the keyboard only: Tab reaches the question's radio group, an arrow key
  or Space chooses, Tab reaches Check, Enter presses it, and the live feedback line says
  whether the choice was right (a wrong choice, then the right one, which the page's own
  ``<details>`` block names).
- axe-core finds no violation in any question of a chapter, at any impact (the whole page's
  check is in test_site.py).
- At 390 px, in dark mode, no part of a question sticks out of the screen, and its text is
  light on the dark page.
- Without JavaScript the Check button stays hidden and the answer is still there to open.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from book_site import CHAPTERS, DESKTOP, PHONE


@contextmanager
def quiz_page(browser, site: str, doc: str, *, viewport=DESKTOP, color_scheme="light", javascript=True):
    context = browser.new_context(viewport=viewport, color_scheme=color_scheme, java_script_enabled=javascript)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{site}/{doc}.html", wait_until="load")
        if javascript:
            page.wait_for_selector(".dlbook-quiz[data-ready]", state="attached", timeout=10_000)
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def focused(page) -> dict:
    return page.evaluate("""() => {
      const el = document.activeElement;
      return {tag: el.tagName, type: el.type || '', name: el.name || '', id: el.id || '',
              text: el.textContent.trim(), checked: !!el.checked};
    }""")


@pytest.mark.parametrize("doc", CHAPTERS)
def test_a_question_is_answered_with_the_keyboard_only(browser, site, doc: str) -> None:
    with quiz_page(browser, site, doc) as page:
        box = page.locator(".dlbook-quiz").first
        ident = box.get_attribute("id")
        answer = int(box.get_attribute("data-answer"))
        radios = box.locator('input[type="radio"]')
        count = radios.count()
        assert count >= 2
        # Start on the element just before the question, then Tab into it.
        page.evaluate("""(id) => {
          const anchor = document.createElement('a');
          anchor.href = '#'; anchor.textContent = 'start'; anchor.id = 'quiz-test-start';
          document.getElementById(id).before(anchor);
          anchor.focus();
        }""", ident)
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["tag"] == "INPUT" and now["type"] == "radio" and now["name"] == ident, now
        page.keyboard.press("Space")  # chooses the first option
        assert focused(page)["checked"]
        wrong = next(index for index in range(count) if index != answer)
        for _ in range(wrong):
            page.keyboard.press("ArrowDown")  # moves and chooses, as in any radio group
        assert radios.nth(wrong).is_checked()
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["tag"] == "BUTTON" and now["text"] == "Check", now
        page.keyboard.press("Enter")
        feedback = box.locator(".dlbook-quiz-feedback")
        assert feedback.get_attribute("aria-live") == "polite"
        assert feedback.inner_text().startswith("Not quite"), feedback.inner_text()
        # Back to the radio group, choose the right answer, check again.
        page.keyboard.press("Shift+Tab")
        assert focused(page)["name"] == ident
        step = "ArrowDown" if answer > wrong else "ArrowUp"
        for _ in range(abs(answer - wrong)):
            page.keyboard.press(step)
        assert radios.nth(answer).is_checked()
        assert feedback.inner_text() == "", "a new choice clears the last verdict"
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # a button is pressed with Space too
        assert feedback.inner_text() == "Correct."
        # The option it accepted is the one the answer block names.
        label = box.locator(f'label[for="{ident}-{answer}"]').inner_text()
        assert box.locator(".dlbook-quiz-answer-text").text_content() == label  # still collapsed
        # Then Tab reaches the answer block, and Enter opens it.
        page.keyboard.press("Tab")
        assert focused(page)["tag"] == "SUMMARY"
        page.keyboard.press("Enter")
        assert box.locator("details").get_attribute("open") is not None


@pytest.mark.parametrize("doc", CHAPTERS)
def test_questions_pass_axe(browser, site, axe_source, doc: str) -> None:
    with quiz_page(browser, site, doc) as page:
        box = page.locator(".dlbook-quiz").first
        box.locator('input[type="radio"]').first.check()
        box.locator("button").click()  # axe also sees the feedback line filled
        box.locator("summary").click()
        page.add_script_tag(content=axe_source)
        report = page.evaluate(
            "async () => await axe.run({include: [['.dlbook-quiz']]}, {resultTypes: ['violations']})")
        assert page.locator(".dlbook-quiz").count() >= 3
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in report["violations"]]
    assert not found, found


@pytest.mark.parametrize("doc", ["book/autoencoder", "book/sentiment"])
def test_questions_fit_a_phone_in_dark_mode(browser, site, doc: str) -> None:
    with quiz_page(browser, site, doc, viewport=PHONE, color_scheme="dark") as page:
        assert page.locator("html").get_attribute("data-theme") == "dark"
        for box in page.locator(".dlbook-quiz").all():
            box.locator("summary").click()  # the answer's text is measured too
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('.dlbook-quiz, .dlbook-quiz *'))
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .map((e) => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40))""")
        assert not wide, f"question parts wider than 390 px: {wide}"
        scrolls = page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")
        assert not scrolls, "the page scrolls sideways at 390 px"
        colour = page.evaluate("() => getComputedStyle(document.querySelector('.dlbook-quiz legend')).color")
        red, green, blue = (float(v) for v in re.findall(r"[\d.]+", colour)[:3])
        assert red + green + blue > 3 * 150, f"dark text on the dark page: {colour}"


def test_without_javascript_the_answer_is_still_there(browser, site) -> None:
    with quiz_page(browser, site, "book/autoencoder", javascript=False) as page:
        box = page.locator(".dlbook-quiz").first
        assert not box.locator("button").is_visible(), "a Check button that cannot work is hidden"
        box.locator("summary").click()
        assert box.locator(".dlbook-quiz-answer-text").is_visible()
        assert box.locator(".dlbook-quiz-answer-text").inner_text().strip()
