/** Signals a caller's signal and our timeout, whichever comes first. */
export function anySignal (timeoutSignal: AbortSignal, userSignal?: AbortSignal): AbortSignal {
  return userSignal == null ? timeoutSignal : AbortSignal.any([timeoutSignal, userSignal])
}
