import { describe, expect, it } from 'vitest'
import messages from './importMessages'
import { IMPORT_MAX_BYTES, XLSX_TYPE, fileProblem, finished, importCounts, uploadType } from './imports'
import openapi from '../../../openapi.json'

describe('an import upload', () => {
  it('is sent with a media type the route declares', () => {
    const declared = Object.keys(openapi.paths['/api/v1/people/imports'].post.requestBody.content)
    expect(uploadType('志愿者.CSV')).toBe('text/csv')
    expect(uploadType('volunteers.xlsx')).toBe(XLSX_TYPE)
    expect(uploadType('old.xls')).toBeNull()
    for (const name of ['a.csv', 'a.xlsx']) expect(declared).toContain(uploadType(name))
  })
  it('is refused before sending when it cannot be imported, in both languages', () => {
    expect(fileProblem(null)).toBe('none')
    expect(fileProblem({ name: 'a.pdf', size: 10 })).toBe('type')
    expect(fileProblem({ name: 'a.csv', size: 0 })).toBe('empty')
    expect(fileProblem({ name: 'a.csv', size: IMPORT_MAX_BYTES + 1 })).toBe('size')
    expect(fileProblem({ name: 'a.csv', size: 100 })).toBeNull()
    for (const p of ['none', 'type', 'empty', 'size'] as const) {
      expect(messages['zh-CN'].station.imports.problems[p]).toBeTruthy()
      expect(messages.en.station.imports.problems[p]).toBeTruthy()
    }
  })
})

describe('an import job', () => {
  it('reads its counts and whether it ended', () => {
    const job = { rows_done: 3, total_rows: null, created: 1, updated: 1, unchanged: 0, refused: 1 }
    expect(importCounts(job)).toEqual({ done: 3, total: null, created: 1, updated: 1, unchanged: 0, refused: 1 })
    expect(finished({ status: 'running' })).toBe(false)
    expect(finished({ status: 'done' })).toBe(true)
    expect(finished({ status: 'failed' })).toBe(true)
  })
})
