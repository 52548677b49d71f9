/* The dashboard's section registry: a section added here is bound, entered, drawn and left with
 * the built-in ones (how to add one: the comment at the top of main.js). */
export var sections = [];

/** section: {name, bind(), enter(), render(), leave()}; every hook is optional. */
export function addSection(section) {
  sections.push(section);
}
