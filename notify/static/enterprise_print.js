// The printable notice board's Print button (no inline scripts: the CSP allows only files).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-board");
  if (button) button.addEventListener("click", () => window.print());
});
