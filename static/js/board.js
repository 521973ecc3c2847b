/* The hiring pipeline board: drag a card onto another column to move it there. The card's own
   move form is submitted, so the server keeps the history exactly as with the Move button.
   Declining an offer asks why (in the page's language, from the JavaScript catalog). Listeners are
   on the document, so a board swapped in later works too. */
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("#board .board-card[draggable=true]");
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.setData("text/plain", card.dataset.applicationId);
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("#board .board-col");
    if (column && dragged && dragged.dataset.stage !== column.dataset.stage) {
      event.preventDefault();
    }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("#board .board-col");
    if (!column || !dragged) { return; }
    event.preventDefault();
    var form = dragged.querySelector("form.move-form");
    var target = column.dataset.stage;
    if (dragged.dataset.stage === "offer" && target === "withdrew") {
      var reason = window.prompt(gettext("Why did the candidate decline the offer?"));
      if (!reason) { dragged = null; return; }
      form.querySelector("input[name=reason]").value = reason;
    }
    form.querySelector("select[name=stage]").value = target;
    dragged = null;
    form.submit();
  });
})();
