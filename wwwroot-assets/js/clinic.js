// Small browser helpers the Blazor components import as a module: widths, focus, keyboard moves.

// Reports the element's width to .NET now and after each resize (debounced), so the calendar can
// say how many practitioner lanes fit. Returns a handle whose dispose() stops it.
export function observeWidth(element, dotnet) {
    let timer = 0;
    let last = -1;
    const report = () => {
        const width = Math.floor(element.clientWidth);
        if (width !== last && width > 0) {
            last = width;
            dotnet.invokeMethodAsync("WidthChanged", width);
        }
    };
    const observer = new ResizeObserver(() => { clearTimeout(timer); timer = setTimeout(report, 120); });
    observer.observe(element);
    report();
    return { dispose: () => { clearTimeout(timer); observer.disconnect(); } };
}

// Focuses the first element matching the selector (and, when given, whose text is `text`), waiting
// up to two seconds for it to appear: a snackbar's Undo, or an appointment block after a dialog.
export function focusWhenPresent(selector, text) {
    const deadline = Date.now() + 2000;
    const attempt = () => {
        const found = [...document.querySelectorAll(selector)]
            .find(e => !text || e.textContent.trim() === text);
        if (found) {
            found.focus({ preventScroll: false });
            return;
        }
        if (Date.now() < deadline) {
            setTimeout(attempt, 50);
        }
    };
    requestAnimationFrame(attempt);
}

// Scrolls today's column header into view inside the calendar's scroll area.
export function revealToday(scroller) {
    const today = scroller?.querySelector(".cal-day-header.cal-today");
    if (today) {
        today.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
}

// Arrow keys move between the free slots of the calendar (Up/Down in a lane, Left/Right across
// lanes at the same time); only one slot per lane sits in the Tab order. A slot's lane is its grid
// column and its time its grid row (the server sends no other attributes for them, to keep each
// open calendar small).
export function enableSlotKeys(grid) {
    const lane = slot => Number(slot.style.gridColumnStart);
    const row = slot => Number(slot.style.gridRowStart);
    grid.addEventListener("keydown", event => {
        const slot = event.target.closest?.(".cal-slot");
        if (!slot || !["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(event.key)) {
            return;
        }
        const slots = [...grid.querySelectorAll(".cal-slot")];
        let next;
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
            const inLane = slots.filter(s => lane(s) === lane(slot));
            const index = inLane.indexOf(slot) + (event.key === "ArrowDown" ? 1 : -1);
            next = inLane[index];
        } else {
            const targetLane = lane(slot) + (event.key === "ArrowRight" ? 1 : -1);
            const inLane = slots.filter(s => lane(s) === targetLane);
            next = inLane.reduce((best, s) => !best || Math.abs(row(s) - row(slot)) < Math.abs(row(best) - row(slot)) ? s : best, undefined);
        }
        if (next) {
            event.preventDefault();
            next.focus();
        }
    });
}
