/* Check-your-understanding questions (src/dlbook/quiz.py writes the markup,
   _ext/quiz.py adds this script to the pages that have one).

   Each question is a fieldset of radio buttons, a Check button (hidden in
   the markup: without this script it would do nothing), a feedback line that
   screen readers announce (aria-live) and a <details> block with the answer.
   Check says whether the chosen option is right; it does not open the answer,
   so a reader can try again. Everything is native controls: Tab reaches the
   radio group and the button, arrow keys or Space choose, Enter or Space
   press the button. Nothing is loaded from elsewhere. */
(function () {
  "use strict";

  function setUp(box) {
    var button = box.querySelector(".dlbook-quiz-button");
    var feedback = box.querySelector(".dlbook-quiz-feedback");
    var answer = box.getAttribute("data-answer");
    if (!button || !feedback || answer === null) {
      return;
    }
    var radios = box.querySelectorAll('input[type="radio"]');
    button.hidden = false;
    button.addEventListener("click", function () {
      var chosen = box.querySelector('input[type="radio"]:checked');
      box.classList.remove("dlbook-quiz-right", "dlbook-quiz-wrong");
      if (!chosen) {
        feedback.textContent = "Choose an answer first.";
        return;
      }
      if (chosen.value === answer) {
        box.classList.add("dlbook-quiz-right");
        feedback.textContent = "Correct.";
      } else {
        box.classList.add("dlbook-quiz-wrong");
        feedback.textContent = "Not quite: try again, or open the answer below.";
      }
    });
    // A new choice makes the last verdict stale.
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", function () {
        box.classList.remove("dlbook-quiz-right", "dlbook-quiz-wrong");
        feedback.textContent = "";
      });
    });
    box.setAttribute("data-ready", "true");
  }

  function setUpAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".dlbook-quiz"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
