import type { Plugin } from 'vite'

/**
 * A Vite plugin named `name` that rewrites the code of each module whose path matches `module` with `rewrite`
 * (which throws, failing the build, when the module is not as it expects). The web app's build uses it to
 * leave out of the page what the installed libraries carry and the page never runs.
 */
export function moduleRewrite (name: string, module: RegExp, rewrite: (code: string, id: string) => string): Plugin {
  return {
    name,
    transform (code, id) {
      if (!module.test(id)) return undefined
      return { code: rewrite(code, id), map: null }
    }
  }
}
