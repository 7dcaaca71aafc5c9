// The issue 16 pages' words: every key in Chinese has its English, and the other way round.
import { describe, expect, it } from 'vitest'
import supervisor from './interchangeMessages'
import station from '@/station/people/importMessages'

function keys(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix]
  return Object.entries(tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort()
}

describe('the words of 月度报告, 表扬名单, 数据交换 and 志愿者导入', () => {
  it('are there in both languages', () => {
    for (const messages of [supervisor, station]) {
      expect(keys(messages.en)).toEqual(keys(messages['zh-CN']))
    }
  })
})
